#!/bin/sh
# The official postgres image's contract, as far as docker/compose.yaml relies on it: a first start
# creates the cluster with POSTGRES_USER / POSTGRES_PASSWORD and the database POSTGRES_DB in $PGDATA,
# clients connect over the network with that password, and the server runs as the postgres user.
set -eu
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"

mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile"
  runuser -u postgres -- initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    echo "CREATE DATABASE \"$POSTGRES_DB\"" | runuser -u postgres -- postgres --single -D "$PGDATA" postgres >/dev/null
  fi
  echo "postgres stand-in: created database $POSTGRES_DB for $POSTGRES_USER"
fi

exec runuser -u postgres -- postgres -D "$PGDATA" "$@"
