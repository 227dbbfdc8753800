#!/usr/bin/env bash
# Installs PostgreSQL 15 (with pgbench) and MariaDB 10.11 from Debian's packages for the
# connector tests. Needs root. The package-managed services are not started here: each
# database is started by start-databases.sh as its own OS user with data in a temp dir.
set -euo pipefail
need=()
[[ -x /usr/lib/postgresql/15/bin/postgres ]] || need+=(postgresql-15 postgresql-client-15)
[[ -x /usr/lib/postgresql/15/bin/pgbench ]] || need+=(postgresql-contrib)
command -v mariadbd >/dev/null 2>&1 || [[ -x /usr/sbin/mariadbd ]] || need+=(mariadb-server mariadb-client)
if (( ${#need[@]} == 0 )); then
  echo "install-databases: PostgreSQL 15 and MariaDB already installed" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps dpkg from starting the packaged services; we start our own instances.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy" && created_policy=1
fi
trap 'if [[ $created_policy == 1 ]]; then rm -f "$policy"; fi' EXIT
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${need[@]}" >&2
echo "install-databases: installed ${need[*]}" >&2
