/* carddav.c: `kith carddav`, the URL and user name a phone or address
 * book needs to sync with kith serve, with a hint per client. */
#include "cli.h"
#include "../render/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_carddav(struct cli *cl)
{
	static const struct cli_opt opts[] = {
	    {"user", true}, {"base-url", true}, {NULL, false}};
	struct user u = {0};
	const char *base, *email = NULL;
	char url[600], book[700];
	size_t len;
	int rc;

	rc = cli_parse(cl, opts);
	if (!rc)
		rc = cli_want(cl, 0, 0);
	if (rc)
		return rc;
	base = cli_get(cl, "base-url");
	if (!base)
		base = getenv("KITH_URL");
	if (!base)
		base = "http://127.0.0.1:8080";
	if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8))
		return kith_err_set(&cl->err, KITH_EINPUT, "--base-url",
				    "expected http:// or https://, got \"%s\"",
				    base);
	len = strlen(base);
	while (len && base[len - 1] == '/')
		len--;
	snprintf(url, sizeof(url), "%.*s/", (int)len, base);
	if (cli_get(cl, "user")) {
		rc = store_user_by_email(&u, cl->app.st, cli_get(cl, "user"),
					 &cl->err);
		if (!rc && u.workspace_id != cl->app.ws)
			rc = KITH_ENOTFOUND;
		if (rc == KITH_ENOTFOUND)
			return kith_err_set(&cl->err, KITH_ENOTFOUND, "--user",
					    "no user %s in this workspace",
					    cli_get(cl, "user"));
		if (rc)
			return rc;
		email = u.email;
		snprintf(book, sizeof(book),
			 "%sdav/addressbooks/%lld/contacts/", url,
			 (long long)u.id);
	} else {
		snprintf(book, sizeof(book),
			 "%sdav/addressbooks/<your user id>/contacts/", url);
	}
	if (cl->json) {
		kj_print(json_pack("{s:s, s:o, s:s}", "url", url, "username",
				   email ? json_string(email) : json_null(),
				   "addressbook", book));
		user_clear(&u);
		return KITH_OK;
	}
	printf("CardDAV server: %s\n", url);
	printf("User name:      %s\n", email ? email : "your kith email");
	printf("Password:       your kith password, or an API token "
	       "(kith token create)\n\n");
	printf("iOS, macOS:   Settings > Contacts > Accounts > Add Account > "
	       "Other >\n"
	       "              CardDAV Account; Server: the URL above.\n");
	printf("DAVx5:        Login with URL and user name; Base URL: the URL "
	       "above.\n");
	printf("Thunderbird:  Address Book > New CardDAV Address Book; "
	       "Location: the URL above.\n");
	printf("vdirsyncer:   type = \"carddav\", url = \"%s\"\n", book);
	printf("Serve it over HTTPS (docs/SECURITY.md): the password travels "
	       "with every request.\n");
	user_clear(&u);
	return KITH_OK;
}
