#!/usr/bin/env bash
# Local infrastructure for Escalator without Docker: a real single-node Apache Kafka broker (KRaft,
# from the Maven Central jars) and a private PostgreSQL server (Debian's binaries, our own initdb).
#
#   deploy/local/infra.sh up       start both (idempotent; waits until they really answer)
#   deploy/local/infra.sh down     stop both gracefully
#   deploy/local/infra.sh status   show what runs (exit 0 only when both run)
#   deploy/local/infra.sh env      print KAFKA_BOOTSTRAP_SERVERS=... and DATABASE_URL=... lines
#                                  (use: export $(deploy/local/infra.sh env))
#   deploy/local/infra.sh psql [ARGS]              psql as escalator to the local database
#   deploy/local/infra.sh kafka-tool CLASS [ARGS]  run a Kafka CLI class from var/kafka-libs, e.g.
#       kafka-tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:19092 --list
#       kafka-tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand \
#           --bootstrap-server 127.0.0.1:19092 --describe --all-groups
#
# All state lives under var/ at the repository root (git-ignored): jars, data, logs, pid files.
# Reset everything: deploy/local/infra.sh down && rm -rf var/
#
# Environment (all optional):
#   ESCALATOR_LOCAL_KAFKA_PORT             broker listener port      (default 19092)
#   ESCALATOR_LOCAL_KAFKA_CONTROLLER_PORT  KRaft controller port     (default 19093)
#   ESCALATOR_LOCAL_PG_PORT                PostgreSQL port           (default 15432)
#   ESCALATOR_LOCAL_KAFKA_TIMEOUT          seconds to wait for Kafka (default 90)
#   ESCALATOR_LOCAL_PG_TIMEOUT             seconds to wait for PostgreSQL (default 60)
#
# Runs as root (CI) or as a normal user. As root it installs missing Debian packages
# (openjdk-17-jre-headless, maven, postgresql) and runs PostgreSQL as the `postgres` system user.
set -euo pipefail
umask 022

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd -P)

VAR_DIR=$REPO_ROOT/var
RUN_DIR=$VAR_DIR/run
LOG_DIR=$VAR_DIR/log

KAFKA_VERSION=3.9.1
KAFKA_POM=$SCRIPT_DIR/kafka/pom.xml
KAFKA_PROPS_TEMPLATE=$SCRIPT_DIR/kafka/server.properties.in
KAFKA_LOG4J=$SCRIPT_DIR/kafka/log4j.properties
KAFKA_LIBS=$VAR_DIR/kafka-libs
KAFKA_DIR=$VAR_DIR/kafka
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_PROPS=$KAFKA_DIR/server.properties
KAFKA_CLUSTER_ID_FILE=$KAFKA_DIR/cluster.id
KAFKA_LOG=$LOG_DIR/kafka.log
KAFKA_PID_FILE=$RUN_DIR/kafka.pid
KAFKA_PORT_FILE=$RUN_DIR/kafka.ports
KAFKA_HEAP_OPTS=(-Xms256m -Xmx768m)
KAFKA_TIMEOUT=${ESCALATOR_LOCAL_KAFKA_TIMEOUT:-90}
KAFKA_STOP_TIMEOUT=60

PG_CONF_TEMPLATE=$SCRIPT_DIR/postgres/escalator.conf
PG_DIR=$VAR_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCKET_DIR=$RUN_DIR/postgres
PG_LOG=$LOG_DIR/postgres.log
PG_PID_FILE=$RUN_DIR/postgres.pid
PG_PORT_FILE=$RUN_DIR/postgres.port
PG_TIMEOUT=${ESCALATOR_LOCAL_PG_TIMEOUT:-60}
PG_SYSTEM_USER=postgres
DB_NAME=escalator
DB_USER=escalator
DB_PASSWORD=escalator

LOG_ROTATE_BYTES=$((64 * 1024 * 1024))

# --------------------------------------------------------------------------------------------
# helpers

say() { printf '[infra] %s\n' "$*" >&2; }
die() {
    printf '[infra] ERROR: %s\n' "$*" >&2
    exit 1
}
# die with the tail of a log file
die_with_log() {
    local log=$1
    shift
    printf '[infra] ERROR: %s\n' "$*" >&2
    if [[ -r $log ]]; then
        printf '[infra] ---- last 40 lines of %s ----\n' "$log" >&2
        tail -n 40 "$log" >&2 || true
        printf '[infra] ---- end of %s ----\n' "$log" >&2
    fi
    exit 1
}
is_root() { [[ $EUID -eq 0 ]]; }
rel() { printf '%s' "${1#"$REPO_ROOT"/}"; }

check_port_value() {
    local name=$1 value=$2
    if ! [[ $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
        die "$name must be a TCP port number, got '$value'"
    fi
}

# read "KEY=VALUE" from a small file of such lines
read_kv() {
    local file=$1 key=$2 line
    [[ -r $file ]] || return 1
    while IFS= read -r line; do
        if [[ $line == "$key="* ]]; then
            printf '%s' "${line#"$key"=}"
            return 0
        fi
    done <"$file"
    return 1
}

# Effective ports: the environment wins, then what the last `up` recorded, then the defaults.
resolve_ports() {
    KAFKA_PORT=${ESCALATOR_LOCAL_KAFKA_PORT:-$(recorded_port "$KAFKA_PORT_FILE" port kafka_pid || echo 19092)}
    KAFKA_CONTROLLER_PORT=${ESCALATOR_LOCAL_KAFKA_CONTROLLER_PORT:-$(recorded_port "$KAFKA_PORT_FILE" controller_port kafka_pid || echo 19093)}
    PG_PORT=${ESCALATOR_LOCAL_PG_PORT:-$(recorded_port "$PG_PORT_FILE" port pg_alive || echo 15432)}
    check_port_value ESCALATOR_LOCAL_KAFKA_PORT "$KAFKA_PORT"
    check_port_value ESCALATOR_LOCAL_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
    check_port_value ESCALATOR_LOCAL_PG_PORT "$PG_PORT"
    [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] || die "Kafka broker and controller ports must differ ($KAFKA_PORT)"
    warn_if_ephemeral ESCALATOR_LOCAL_KAFKA_PORT "$KAFKA_PORT"
    warn_if_ephemeral ESCALATOR_LOCAL_KAFKA_CONTROLLER_PORT "$KAFKA_CONTROLLER_PORT"
    warn_if_ephemeral ESCALATOR_LOCAL_PG_PORT "$PG_PORT"
}

# A port recorded by the last `up` counts only while that server still runs: a stopped one
# starts on the default again (older checkouts recorded ports that are no longer the default).
recorded_port() {
    local file=$1 key=$2 running=$3
    "$running" >/dev/null 2>&1 || return 1
    read_kv "$file" "$key"
}

pg_alive() {
    local pid
    pid=$(pg_postmaster_pid) && [[ -d /proc/$pid ]]
}

# Linux hands out ports of ip_local_port_range to outgoing connections; a listener there can
# fail to bind while a client socket on the same port sits in TIME_WAIT.
warn_if_ephemeral() {
    local name=$1 value=$2 low high
    read -r low high 2>/dev/null </proc/sys/net/ipv4/ip_local_port_range || return 0
    if ((value >= low && value <= high)); then
        say "warning: $name=$value lies in the ephemeral port range $low-$high; binding it can fail with 'Address already in use'"
    fi
}

# true when something accepts TCP connections on 127.0.0.1:$1
port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

APT_UPDATED=0
apt_install() {
    is_root || die "missing: $* (install with: sudo apt-get install -y $*)"
    local apt_log=$LOG_DIR/apt.log
    mkdir -p "$LOG_DIR"
    export DEBIAN_FRONTEND=noninteractive
    if ((APT_UPDATED == 0)); then
        say "apt-get update (log: $(rel "$apt_log"))"
        apt-get update -q >>"$apt_log" 2>&1 || die_with_log "$apt_log" "apt-get update failed"
        APT_UPDATED=1
    fi
    say "apt-get install -y $*"
    apt-get install -y -q --no-install-recommends "$@" >>"$apt_log" 2>&1 ||
        die_with_log "$apt_log" "apt-get install $* failed"
}

rotate_log() {
    local log=$1 size
    [[ -f $log ]] || return 0
    size=$(stat -c %s "$log")
    if ((size > LOG_ROTATE_BYTES)); then
        mv -f "$log" "$log.1"
    fi
}

# --------------------------------------------------------------------------------------------
# Kafka

JAVA=
ensure_java() {
    if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
        JAVA=$JAVA_HOME/bin/java
    elif command -v java >/dev/null 2>&1; then
        JAVA=$(command -v java)
    else
        say "java not found"
        apt_install openjdk-17-jre-headless
        JAVA=$(command -v java) || die "java still not found after installing openjdk-17-jre-headless"
    fi
    local version major
    version=$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
    major=${version%%.*}
    if [[ $major == 1 ]]; then major=$(cut -d. -f2 <<<"$version"); fi
    if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 11)); then
        die "Kafka $KAFKA_VERSION needs Java 11 or newer (17 recommended); $JAVA reports '${version:-unknown}'. Install openjdk-17-jre-headless."
    fi
}

ensure_kafka_libs() {
    local want have=""
    want=$(sha256sum "$KAFKA_POM" | cut -d' ' -f1)
    if [[ -r $KAFKA_LIBS/.complete ]]; then have=$(<"$KAFKA_LIBS/.complete"); fi
    if [[ $have == "$want" ]] && compgen -G "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
        return 0
    fi
    if ! command -v mvn >/dev/null 2>&1; then
        say "mvn not found"
        apt_install maven
    fi
    local tmp=$KAFKA_LIBS.tmp.$$ mvn_log=$LOG_DIR/kafka-libs.log
    rm -rf "$tmp"
    say "collecting Kafka $KAFKA_VERSION jars with Maven into $(rel "$KAFKA_LIBS") (log: $(rel "$mvn_log"))"
    if ! mvn -B -q -Dstyle.color=never -f "$KAFKA_POM" \
        org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" >"$mvn_log" 2>&1; then
        rm -rf "$tmp"
        die_with_log "$mvn_log" "Maven could not collect the Kafka jars (is Maven Central reachable?)"
    fi
    [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar && -f $tmp/reload4j-1.2.25.jar ]] ||
        die_with_log "$mvn_log" "Maven finished but $tmp lacks kafka_2.13-$KAFKA_VERSION.jar or reload4j"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    printf '%s\n' "$want" >"$KAFKA_LIBS/.complete"
}

# prints the pid of our broker when it runs (pid file + the process really is our kafka.Kafka)
kafka_pid() {
    local pid cmdline
    [[ -r $KAFKA_PID_FILE ]] || return 1
    pid=$(<"$KAFKA_PID_FILE")
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
    [[ $cmdline == *"kafka.Kafka $KAFKA_PROPS"* ]] || return 1
    printf '%s' "$pid"
}

kafka_running_ports() {
    printf 'port=%s\ncontroller_port=%s\n' "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"
}

new_cluster_id() {
    # base64url of 16 random bytes, no padding: what `kafka-storage random-uuid` prints
    head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

kafka_format_if_needed() {
    local cluster_id=""
    if [[ -f $KAFKA_DATA/meta.properties ]]; then
        cluster_id=$(read_kv "$KAFKA_DATA/meta.properties" cluster.id) ||
            die "$(rel "$KAFKA_DATA")/meta.properties has no cluster.id; reset with: rm -rf $(rel "$KAFKA_DIR")"
        if [[ ! -f $KAFKA_CLUSTER_ID_FILE ]]; then
            printf '%s\n' "$cluster_id" >"$KAFKA_CLUSTER_ID_FILE"
        elif [[ $(<"$KAFKA_CLUSTER_ID_FILE") != "$cluster_id" ]]; then
            say "warning: $(rel "$KAFKA_CLUSTER_ID_FILE") differs from the formatted storage's cluster id; using $cluster_id"
            printf '%s\n' "$cluster_id" >"$KAFKA_CLUSTER_ID_FILE"
        fi
        return 0
    fi
    if [[ -s $KAFKA_CLUSTER_ID_FILE ]]; then
        cluster_id=$(<"$KAFKA_CLUSTER_ID_FILE")
    else
        cluster_id=$(new_cluster_id)
        printf '%s\n' "$cluster_id" >"$KAFKA_CLUSTER_ID_FILE"
    fi
    say "formatting Kafka storage $(rel "$KAFKA_DATA") (cluster id $cluster_id)"
    printf '\n==== infra.sh: kafka-storage format at %s ====\n' "$(date -u +%FT%TZ)" >>"$KAFKA_LOG"
    "$JAVA" -Xmx256m -Dlog4j.configuration="file:$KAFKA_LOG4J" -cp "$KAFKA_LIBS/*" \
        kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$KAFKA_PROPS" >>"$KAFKA_LOG" 2>&1 ||
        die_with_log "$KAFKA_LOG" "formatting Kafka storage failed"
}

KAFKA_START_OFFSET=
KAFKA_STARTED_PID=
# Starts the broker without waiting; kafka_wait_ready waits. Sets KAFKA_STARTED_PID.
kafka_start() {
    local pid running_port
    if pid=$(kafka_pid); then
        running_port=$(read_kv "$KAFKA_PORT_FILE" port || true)
        if [[ -n $running_port && $running_port != "$KAFKA_PORT" ]]; then
            die "Kafka already runs (pid $pid) on port $running_port, not $KAFKA_PORT; run '$0 down' first to change ports"
        fi
        say "Kafka already running (pid $pid)"
        KAFKA_STARTED_PID=$pid
        KAFKA_START_OFFSET=
        return 0
    fi
    rm -f "$KAFKA_PID_FILE"
    local p
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
        if port_open "$p"; then
            die "port 127.0.0.1:$p is already in use by another process (see: ss -ltnp 'sport = :$p'); stop it or choose other ports with ESCALATOR_LOCAL_KAFKA_PORT / ESCALATOR_LOCAL_KAFKA_CONTROLLER_PORT"
        fi
    done

    ensure_java
    ensure_kafka_libs
    mkdir -p "$KAFKA_DATA"
    sed -e "s|@PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
        -e "s|@DATA_DIR@|$KAFKA_DATA|g" "$KAFKA_PROPS_TEMPLATE" >"$KAFKA_PROPS.tmp"
    mv -f "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
    rotate_log "$KAFKA_LOG"
    kafka_format_if_needed

    KAFKA_START_OFFSET=$(stat -c %s "$KAFKA_LOG" 2>/dev/null || echo 0)
    printf '\n==== infra.sh: starting Kafka %s at %s (127.0.0.1:%s, controller %s) ====\n' \
        "$KAFKA_VERSION" "$(date -u +%FT%TZ)" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" >>"$KAFKA_LOG"
    say "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT, log: $(rel "$KAFKA_LOG"))"
    # setsid: own session, so the broker outlives this shell and its process group.
    # 9>&-: the broker must not inherit (and keep holding) the lock of this script.
    # The inner shell writes its own pid, then execs java under that same pid.
    # shellcheck disable=SC2016 # $$ and $@ belong to the inner shell
    (
        cd "$KAFKA_DIR"
        exec setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' infra-kafka "$KAFKA_PID_FILE" \
            "$JAVA" "${KAFKA_HEAP_OPTS[@]}" \
            -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
            -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
            -Dlog4j.configuration="file:$KAFKA_LOG4J" -Dkafka.logs.dir="$LOG_DIR" \
            -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"
    ) </dev/null >>"$KAFKA_LOG" 2>&1 9>&- &
    local i
    for ((i = 0; i < 50; i++)); do
        pid=$(kafka_pid) && break
        sleep 0.1
    done
    [[ -n ${pid:-} ]] || die_with_log "$KAFKA_LOG" "Kafka did not start (no process behind $(rel "$KAFKA_PID_FILE"))"
    kafka_running_ports >"$KAFKA_PORT_FILE"
    KAFKA_STARTED_PID=$pid
}

kafka_wait_ready() {
    local pid=$KAFKA_STARTED_PID deadline=$((SECONDS + KAFKA_TIMEOUT)) logged=1
    while :; do
        if ! kafka_pid >/dev/null; then
            die_with_log "$KAFKA_LOG" "Kafka (pid $pid) exited while starting"
        fi
        if [[ -n $KAFKA_START_OFFSET ]]; then
            # a broker we just started: its own "started" line, after this run's banner
            logged=0
            # grep -c reads to the end: grep -q would stop at the match, and tail, cut off
            # (SIGPIPE) with more than a pipe's worth of log still to write, fails the pipeline
            # under pipefail, so a broker loading many partitions never looked started.
            if tail -c +"$((KAFKA_START_OFFSET + 1))" "$KAFKA_LOG" | grep -c 'Kafka Server started' >/dev/null; then
                logged=1
            fi
        fi
        if ((logged)) && port_open "$KAFKA_PORT"; then
            say "Kafka ready at 127.0.0.1:$KAFKA_PORT (pid $pid)"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            die_with_log "$KAFKA_LOG" "Kafka not ready after ${KAFKA_TIMEOUT}s (pid $pid still running; '$0 down' stops it)"
        fi
        sleep 0.3
    done
}

kafka_stop() {
    local pid
    if ! pid=$(kafka_pid); then
        say "Kafka not running"
        rm -f "$KAFKA_PID_FILE"
        return 0
    fi
    say "stopping Kafka (pid $pid, SIGTERM, up to ${KAFKA_STOP_TIMEOUT}s)"
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
    while kafka_pid >/dev/null; do
        if ((SECONDS >= deadline)); then
            say "warning: Kafka did not stop within ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.3
    done
    rm -f "$KAFKA_PID_FILE"
    say "Kafka stopped"
}

# --------------------------------------------------------------------------------------------
# PostgreSQL

PG_BIN=
PG_BIN_VERSION=
# newest /usr/lib/postgresql/<version>/bin, or the one matching an existing data directory
find_pg_bin() {
    local want="" d v best=""
    if [[ -r $PG_DATA/PG_VERSION ]]; then want=$(<"$PG_DATA/PG_VERSION"); fi
    for d in /usr/lib/postgresql/*/bin; do
        [[ -x $d/pg_ctl && -x $d/initdb && -x $d/postgres ]] || continue
        v=$(basename "$(dirname "$d")")
        [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || continue
        if [[ -n $want ]]; then
            [[ $v == "$want" ]] && best=$v
        elif [[ -z $best ]] || [[ $(printf '%s\n%s\n' "$best" "$v" | sort -V | tail -n 1) == "$v" ]]; then
            best=$v
        fi
    done
    if [[ -n $best ]]; then
        PG_BIN=/usr/lib/postgresql/$best/bin
        PG_BIN_VERSION=$best
        return 0
    fi
    return 1
}

ensure_pg_bin() {
    find_pg_bin && return 0
    if [[ -r $PG_DATA/PG_VERSION ]]; then
        die "$(rel "$PG_DATA") was created by PostgreSQL $(<"$PG_DATA/PG_VERSION"), which is not installed under /usr/lib/postgresql; install postgresql-$(<"$PG_DATA/PG_VERSION") or reset: $0 down && rm -rf $(rel "$PG_DIR")"
    fi
    say "no PostgreSQL server binaries under /usr/lib/postgresql"
    apt_install postgresql
    find_pg_bin || die "PostgreSQL binaries still missing after apt-get install postgresql"
}

# run a command as the OS user that owns the cluster (postgres when we are root)
as_pg() {
    if is_root; then
        (cd / && runuser -u "$PG_SYSTEM_USER" -- "$@")
    else
        "$@"
    fi
}

# as root: the postgres user must be able to reach its folders; explain precisely when it cannot
check_pg_user_access() {
    is_root || return 0
    id -u "$PG_SYSTEM_USER" >/dev/null 2>&1 ||
        die "system user '$PG_SYSTEM_USER' does not exist (it comes with the postgresql package)"
    if runuser -u "$PG_SYSTEM_USER" -- test -w "$PG_DIR" -a -w "$PG_SOCKET_DIR"; then
        return 0
    fi
    local path="" part
    local -a parts
    IFS=/ read -ra parts <<<"${PG_DIR#/}"
    for part in "${parts[@]}"; do
        path+=/$part
        if ! runuser -u "$PG_SYSTEM_USER" -- test -x "$path"; then
            die "PostgreSQL refuses to run as root, so it runs as '$PG_SYSTEM_USER', who cannot enter $path ($(stat -c '%A %U:%G' "$path")). Put the checkout somewhere '$PG_SYSTEM_USER' can reach, or allow traversal: chmod o+x $path"
        fi
    done
    die "user '$PG_SYSTEM_USER' cannot write $(rel "$PG_DIR") or $(rel "$PG_SOCKET_DIR")"
}

pg_running() {
    [[ -f $PG_DATA/PG_VERSION ]] || return 1
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_postmaster_pid() {
    local pid
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) || return 1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    printf '%s' "$pid"
}

psql_admin() {
    PGOPTIONS='' "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U postgres -d postgres
}

pg_prepare_dirs() {
    mkdir -p "$PG_DIR" "$PG_SOCKET_DIR"
    touch "$PG_LOG"
    if is_root; then
        chown "$PG_SYSTEM_USER:" "$PG_DIR" "$PG_SOCKET_DIR" "$PG_LOG"
        if [[ -d $PG_DATA ]]; then chown "$PG_SYSTEM_USER:" "$PG_DATA"; fi
    fi
    chmod 0755 "$PG_DIR"
    # only the server's OS user (and root) can use the socket: local socket auth is "trust"
    chmod 0700 "$PG_SOCKET_DIR"
    chmod 0640 "$PG_LOG"
    local sock=$PG_SOCKET_DIR/.s.PGSQL.$PG_PORT
    ((${#sock} <= 107)) || die "the PostgreSQL socket path $sock is longer than 107 characters; use a shorter checkout path"
}

pg_initdb_if_needed() {
    [[ -f $PG_DATA/PG_VERSION ]] && return 0
    if [[ -d $PG_DATA ]] && [[ -n $(ls -A "$PG_DATA") ]]; then
        die "$(rel "$PG_DATA") exists, is not empty and is no PostgreSQL data directory; remove it: rm -rf $(rel "$PG_DATA")"
    fi
    say "initdb $(rel "$PG_DATA") (PostgreSQL $PG_BIN_VERSION)"
    printf '\n==== infra.sh: initdb at %s ====\n' "$(date -u +%FT%TZ)" >>"$PG_LOG"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 ||
        die_with_log "$PG_LOG" "initdb failed"
    printf '\n# Escalator (deploy/local/infra.sh)\ninclude = %s\ninclude = %s\n' \
        "'escalator.conf'" "'escalator-runtime.conf'" >>"$PG_DATA/postgresql.conf"
}

pg_write_conf() {
    install -m 0644 "$PG_CONF_TEMPLATE" "$PG_DATA/escalator.conf.tmp"
    cat >"$PG_DATA/escalator-runtime.conf.tmp" <<EOF
# Written by deploy/local/infra.sh on every start; edit deploy/local/postgres/escalator.conf instead.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKET_DIR'
unix_socket_permissions = 0700
EOF
    if is_root; then
        chown "$PG_SYSTEM_USER:" "$PG_DATA/escalator.conf.tmp" "$PG_DATA/escalator-runtime.conf.tmp"
    fi
    mv -f "$PG_DATA/escalator.conf.tmp" "$PG_DATA/escalator.conf"
    mv -f "$PG_DATA/escalator-runtime.conf.tmp" "$PG_DATA/escalator-runtime.conf"
}

pg_ensure_database() {
    # role and database, created once; the role is a superuser because tests create databases
    psql_admin >/dev/null <<SQL || die_with_log "$PG_LOG" "could not create role/database '$DB_NAME'"
SELECT format('CREATE ROLE %I LOGIN SUPERUSER PASSWORD %L', '$DB_USER', '$DB_PASSWORD')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER')\\gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DB_NAME', '$DB_USER')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DB_NAME')\\gexec
SQL
    # the way the services connect: TCP + scram password
    PGPASSWORD=$DB_PASSWORD PGOPTIONS='' "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" \
        -U "$DB_USER" -d "$DB_NAME" -c 'SELECT 1' >/dev/null ||
        die_with_log "$PG_LOG" "PostgreSQL runs but '$DB_USER' cannot log in over TCP at 127.0.0.1:$PG_PORT"
}

# fail before starting anything when a port we need is taken by someone else
pg_preflight() {
    ensure_pg_bin
    pg_running && return 0
    if port_open "$PG_PORT"; then
        die "port 127.0.0.1:$PG_PORT is already in use by another process (see: ss -ltnp 'sport = :$PG_PORT'); stop it or choose another port with ESCALATOR_LOCAL_PG_PORT"
    fi
    pg_prepare_dirs
    check_pg_user_access
}

pg_up() {
    ensure_pg_bin
    local running_port pid
    if pg_running; then
        running_port=$(read_kv "$PG_PORT_FILE" port || true)
        if [[ -n $running_port && $running_port != "$PG_PORT" ]]; then
            die "PostgreSQL already runs on port $running_port, not $PG_PORT; run '$0 down' first to change ports"
        fi
        pid=$(pg_postmaster_pid || echo '?')
        if ! "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 5; then
            die_with_log "$PG_LOG" "PostgreSQL runs (pid $pid) but does not answer on 127.0.0.1:$PG_PORT"
        fi
        say "PostgreSQL already running (pid $pid)"
    else
        if port_open "$PG_PORT"; then
            die "port 127.0.0.1:$PG_PORT is already in use by another process (see: ss -ltnp 'sport = :$PG_PORT'); stop it or choose another port with ESCALATOR_LOCAL_PG_PORT"
        fi
        pg_prepare_dirs
        check_pg_user_access
        pg_initdb_if_needed
        pg_write_conf
        rotate_log "$PG_LOG"
        touch "$PG_LOG"
        if is_root; then chown "$PG_SYSTEM_USER:" "$PG_LOG"; fi
        printf '\n==== infra.sh: starting PostgreSQL %s at %s (127.0.0.1:%s) ====\n' \
            "$PG_BIN_VERSION" "$(date -u +%FT%TZ)" "$PG_PORT" >>"$PG_LOG"
        say "starting PostgreSQL $PG_BIN_VERSION on 127.0.0.1:$PG_PORT (log: $(rel "$PG_LOG"))"
        # 9>&-: the server must not inherit (and keep holding) the lock of this script
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$PG_TIMEOUT" start </dev/null >/dev/null 2>&1 9>&- ||
            die_with_log "$PG_LOG" "PostgreSQL did not start within ${PG_TIMEOUT}s"
        printf 'port=%s\n' "$PG_PORT" >"$PG_PORT_FILE"
        pid=$(pg_postmaster_pid || echo '?')
        printf '%s\n' "$pid" >"$PG_PID_FILE"
        local deadline=$((SECONDS + PG_TIMEOUT))
        until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; do
            ((SECONDS < deadline)) || die_with_log "$PG_LOG" "PostgreSQL started but does not accept connections on 127.0.0.1:$PG_PORT"
            sleep 0.3
        done
    fi
    pg_ensure_database
    say "PostgreSQL ready at 127.0.0.1:$PG_PORT, database '$DB_NAME' (pid $pid)"
}

pg_down() {
    if ! find_pg_bin || [[ ! -f $PG_DATA/PG_VERSION ]]; then
        say "PostgreSQL not running (no cluster in $(rel "$PG_DATA"))"
        return 0
    fi
    if ! pg_running; then
        say "PostgreSQL not running"
        rm -f "$PG_PID_FILE"
        return 0
    fi
    say "stopping PostgreSQL (pg_ctl stop -m fast)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1 ||
        die_with_log "$PG_LOG" "pg_ctl stop failed"
    rm -f "$PG_PID_FILE"
    say "PostgreSQL stopped"
}

# --------------------------------------------------------------------------------------------
# commands

with_lock() {
    local d
    for d in "$VAR_DIR" "$RUN_DIR" "$LOG_DIR"; do
        if [[ -e $d && ! -w $d ]]; then
            die "$(rel "$d") belongs to $(stat -c %U "$d") and is not writable by $(id -un); run infra.sh as that user, or reset: sudo $0 down && sudo rm -rf $(rel "$VAR_DIR")"
        fi
    done
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    # (servers are started with fd 9 closed, so only a running infra.sh holds this lock)
    exec 9>"$RUN_DIR/infra-cmd.lock"
    flock -w 180 9 || die "another 'infra.sh up/down' has held $(rel "$RUN_DIR")/infra-cmd.lock for 180s (see: fuser -v $RUN_DIR/infra-cmd.lock)"
}

cmd_up() {
    local started=$SECONDS
    with_lock
    chmod 0755 "$VAR_DIR" "$RUN_DIR" "$LOG_DIR"
    pg_preflight
    kafka_start # returns at once; the JVM boots while PostgreSQL starts
    pg_up
    kafka_wait_ready
    say "up in $((SECONDS - started))s. Connection settings: export \$($0 env)"
    cmd_env | sed 's/^/[infra]   /' >&2
}

cmd_down() {
    with_lock
    kafka_stop
    pg_down
}

cmd_status() {
    local rc=0 pid
    if pid=$(kafka_pid); then
        if port_open "$KAFKA_PORT"; then
            printf 'kafka:    running   pid %s  127.0.0.1:%s (controller %s)  log %s\n' \
                "$pid" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$(rel "$KAFKA_LOG")"
        else
            printf 'kafka:    starting  pid %s  127.0.0.1:%s not accepting connections yet  log %s\n' \
                "$pid" "$KAFKA_PORT" "$(rel "$KAFKA_LOG")"
            rc=3
        fi
    else
        printf 'kafka:    stopped\n'
        rc=3
    fi
    if find_pg_bin && pg_running; then
        pid=$(pg_postmaster_pid || echo '?')
        if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then
            printf 'postgres: running   pid %s  127.0.0.1:%s (PostgreSQL %s, data %s)  log %s\n' \
                "$pid" "$PG_PORT" "$PG_BIN_VERSION" "$(rel "$PG_DATA")" "$(rel "$PG_LOG")"
        else
            printf 'postgres: running   pid %s  but not answering on 127.0.0.1:%s  log %s\n' \
                "$pid" "$PG_PORT" "$(rel "$PG_LOG")"
            rc=3
        fi
    else
        printf 'postgres: stopped\n'
        rc=3
    fi
    return "$rc"
}

cmd_psql() {
    find_pg_bin || die "no PostgreSQL client under /usr/lib/postgresql; run '$0 up' first"
    PGPASSWORD=$DB_PASSWORD exec "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d "$DB_NAME" "$@"
}

cmd_kafka_tool() {
    (($# >= 1)) || die "usage: $0 kafka-tool CLASS [ARGS...] (e.g. org.apache.kafka.tools.TopicCommand)"
    [[ -f $KAFKA_LIBS/.complete ]] || die "no Kafka jars in $(rel "$KAFKA_LIBS"); run '$0 up' first"
    ensure_java
    exec "$JAVA" -Xmx256m -Dlog4j.configuration="file:$SCRIPT_DIR/kafka/tools-log4j.properties" \
        -cp "$KAFKA_LIBS/*" "$@"
}

cmd_env() {
    printf 'KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:%s\n' "$KAFKA_PORT"
    printf 'DATABASE_URL=postgresql+asyncpg://%s:%s@127.0.0.1:%s/%s\n' "$DB_USER" "$DB_PASSWORD" "$PG_PORT" "$DB_NAME"
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'
}

# As root, PostgreSQL runs as the postgres user. When that user cannot enter the checkout (a clone
# under /root, say), its state moves to /var/tmp/escalator-<hash of the checkout path>/ instead.
relocate_pg_if_unreachable() {
    is_root || return 0
    id -u "$PG_SYSTEM_USER" >/dev/null 2>&1 || return 0
    runuser -u "$PG_SYSTEM_USER" -- test -x "$REPO_ROOT" && return 0
    local outside
    outside=/var/tmp/escalator-$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)
    mkdir -p "$outside"
    chmod 755 "$outside"
    PG_DIR=$outside/postgres
    PG_DATA=$PG_DIR/data
    PG_SOCKET_DIR=$outside/run
    PG_LOG=$outside/postgres.log
    if [[ ${1:-} == up ]]; then
        say "user '$PG_SYSTEM_USER' cannot enter $REPO_ROOT; PostgreSQL's data and log live in $outside"
    fi
}

main() {
    local cmd=${1:-}
    relocate_pg_if_unreachable "$cmd"
    case $cmd in
    up | down | status | env | psql | kafka-tool) resolve_ports ;;
    *) ;;
    esac
    case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    psql) cmd_psql "${@:2}" ;;
    kafka-tool) cmd_kafka_tool "${@:2}" ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
