# dovecot.sh: sourced by the IMAP tests (T310, bench/mail.sh). Starts
# Debian's dovecot from a config written into a temp dir, on free
# loopback ports, as an unprivileged user: the caller's own, or when the
# tests run as root, dovecot's and dovenull's system users with the mail
# owned by nobody (dovecot refuses to run its processes as root).
# Users (passwd-file): ana@test / ana-pw-8c1f, bo@test / bo-pw-77d2.
#
# dovecot_start DIR: sets DV_DIR, IMAP_PORT (127.0.0.1, with STARTTLS),
#   IMAPS_PORT (127.0.0.1), PLAIN_PORT (127.0.0.2: no TLS at all), DV_CERT
#   (the self-signed certificate to trust).
# dovecot_stop
# deliver USER FILE [NAME]: put FILE into USER's INBOX (Maildir new/).
# deliver_to USER FOLDER FILE: put FILE into USER's FOLDER ("Sent": the
#   Maildir++ folder .Sent, made on first use), as read mail (cur/, S).

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dovecot_start() {
	DV_DIR=$1
	mkdir -p "$DV_DIR/run" "$DV_DIR/state" "$DV_DIR/home"
	chmod 755 "$DV_DIR" "$DV_DIR/home"
	# dovecot's own users must reach the config and the mail through
	# the caller's temp dir (mktemp -d makes it 0700).
	[ "$(id -u)" = 0 ] && chmod o+x "$(dirname "$DV_DIR")"
	IMAP_PORT=$(free_port)
	IMAPS_PORT=$(free_port)
	while [ "$IMAPS_PORT" = "$IMAP_PORT" ]; do IMAPS_PORT=$(free_port); done
	PLAIN_PORT=$(free_port)
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$DV_DIR/key.pem" -out "$DV_DIR/cert.pem" >/dev/null 2>&1 ||
		return 1
	DV_CERT=$DV_DIR/cert.pem
	printf 'ana@test:{PLAIN}ana-pw-8c1f\nbo@test:{PLAIN}bo-pw-77d2\n' >"$DV_DIR/passwd"
	if [ "$(id -u)" = 0 ]; then
		DV_INTERNAL=dovecot DV_LOGIN=dovenull DV_MAILUSER=nobody
		DV_MAILGROUP=$(id -gn nobody)
	else
		DV_INTERNAL=$(id -un) DV_LOGIN=$(id -un) DV_MAILUSER=$(id -un)
		DV_MAILGROUP=$(id -gn)
	fi
	chmod 644 "$DV_DIR/key.pem"
	for u in ana bo; do
		mkdir -p "$DV_DIR/home/$u/Maildir/cur" "$DV_DIR/home/$u/Maildir/new" \
			"$DV_DIR/home/$u/Maildir/tmp"
	done
	[ "$(id -u)" = 0 ] && chown -R "$DV_MAILUSER:$DV_MAILGROUP" "$DV_DIR/home"
	cat >"$DV_DIR/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $DV_DIR/run
state_dir = $DV_DIR/state
instance_name = kith-test-$$
log_path = $DV_DIR/dovecot.log
ssl = yes
ssl_cert = <$DV_DIR/cert.pem
ssl_key = <$DV_DIR/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = $DV_INTERNAL
default_internal_group = $(id -gn "$DV_INTERNAL")
default_login_user = $DV_LOGIN
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV_DIR/passwd
}
userdb {
  driver = static
  args = uid=$DV_MAILUSER gid=$DV_MAILGROUP home=$DV_DIR/home/%n
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
  inet_listener plain {
    address = 127.0.0.2
    port = $PLAIN_PORT
  }
}
local 127.0.0.2 {
  ssl = no
}
service anvil {
  chroot =
}
CONF
	/usr/sbin/dovecot -c "$DV_DIR/dovecot.conf" || return 1
	for _ in $(seq 1 100); do
		python3 -c "import socket; socket.create_connection(('127.0.0.1', $IMAP_PORT), 1)" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "# dovecot did not start:"; sed 's/^/#   /' "$DV_DIR/dovecot.log"
	return 1
}

dovecot_stop() {
	[ -n "${DV_DIR:-}" ] && [ -f "$DV_DIR/run/master.pid" ] &&
		kill "$(cat "$DV_DIR/run/master.pid")" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$(cat "$DV_DIR/run/master.pid" 2>/dev/null)" 2>/dev/null || break
		sleep 0.05
	done
	return 0
}

DV_SEQ=0
deliver() {
	local user=$1 file=$2 name=${3:-}
	DV_SEQ=$((DV_SEQ + 1))
	[ -n "$name" ] || name="$(date +%s).M${DV_SEQ}P$$.kith"
	cp "$file" "$DV_DIR/home/$user/Maildir/tmp/$name"
	[ "$(id -u)" = 0 ] && chown "$DV_MAILUSER:$DV_MAILGROUP" "$DV_DIR/home/$user/Maildir/tmp/$name"
	mv "$DV_DIR/home/$user/Maildir/tmp/$name" "$DV_DIR/home/$user/Maildir/new/$name"
}

deliver_to() {
	local user=$1 folder=$2 file=$3 dir
	dir=$DV_DIR/home/$user/Maildir/.$folder
	DV_SEQ=$((DV_SEQ + 1))
	mkdir -p "$dir/cur" "$dir/new" "$dir/tmp"
	cp "$file" "$dir/tmp/m$DV_SEQ"
	[ "$(id -u)" = 0 ] && chown -R "$DV_MAILUSER:$DV_MAILGROUP" "$dir"
	mv "$dir/tmp/m$DV_SEQ" "$dir/cur/$(date +%s).M${DV_SEQ}P$$.kith:2,S"
}
