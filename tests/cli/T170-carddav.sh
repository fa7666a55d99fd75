#!/usr/bin/env bash
# T170: kith carddav prints what a phone needs (server URL, user name,
# the book's own URL for clients without discovery), as text and JSON;
# a bad --base-url or an unknown --user is a usage error naming it.
# Exercises src/cli/carddav.c.
. "$(dirname "$0")/lib.sh"

printf '%s\n' 'correct horse battery' |
	kith --workspace Studio user add ann@studio.example --role owner --password-stdin >/dev/null
check "kith carddav --user, text" 0 'CardDAV server: https://kith.studio.example/
User name:      ann@studio.example
Password:       your kith password, or an API token (kith token create)

iOS, macOS:   Settings > Contacts > Accounts > Add Account > Other >
              CardDAV Account; Server: the URL above.
DAVx5:        Login with URL and user name; Base URL: the URL above.
Thunderbird:  Address Book > New CardDAV Address Book; Location: the URL above.
vdirsyncer:   type = "carddav", url = "https://kith.studio.example/dav/addressbooks/1/contacts/"
Serve it over HTTPS (docs/SECURITY.md): the password travels with every request.' \
	kith --workspace Studio carddav --user ann@studio.example --base-url https://kith.studio.example/
check "kith --json carddav, KITH_URL" 0 '{
  "url": "http://10.0.0.5:8080/",
  "username": null,
  "addressbook": "http://10.0.0.5:8080/dav/addressbooks/<your user id>/contacts/"
}' env KITH_URL=http://10.0.0.5:8080 "$KITH" --workspace Studio --json carddav
check "a --base-url that is no URL" 2 'kith carddav: --base-url: expected http:// or https://, got "kith.example"' \
	kith --workspace Studio carddav --base-url kith.example
check_rc "an unknown --user" 2 kith --workspace Studio carddav --user nobody@studio.example
finish
