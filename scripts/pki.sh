#!/usr/bin/env bash
# The local PKI for development and tests (openssl only; never for production: see the README's
# Security section for what an operator issues instead).
#
#   scripts/pki.sh init [--dir DIR]      creates, when missing, under DIR (default
#                                        $INFOBUS_RUN_DIR/pki, i.e. .run/pki):
#       ca.pem ca.key                    the local CA (EC P-256, 10 years)
#       services/<name>.pem .key         collection, judgment, dispatch, supervision, gateway, prometheus,
#                                        admin, kafka (the broker's own): SAN URI
#                                        infobus://service/<name>, DNS localhost, DNS <name> (its
#                                        compose host name), IP 127.0.0.1; serverAuth +
#                                        clientAuth; CN=<name> (the Kafka principal User:<name>,
#                                        deploy/kafka/acls.yaml)
#       services/<name>.keystore.pem     kafka, admin: key and certificate in one file, the PEM
#                                        keystore Kafka's Java broker and tools want
#       sources/<id>.pem .key            one per sample source system (fusui-lodging,
#                                        pingxiang-checkpoint, wuming-netcafe, chongzuo-tips; see
#                                        deploy/config/sources.yaml): SAN URI infobus://source/<id>
#       jwt/signing.key jwt/jwks.json    the token signing key (ES256) and its public JWKS, kid
#                                        "local-1" (infobusctl token mint signs with it)
#   scripts/pki.sh issue --kind service|source --name NAME [--dir DIR] [--ca-dir CADIR]
#                                        one more certificate, signed by CADIR's CA (default
#                                        DIR's), into DIR/<kind>s/NAME.pem .key
#   scripts/pki.sh jwk --key KEY.pem --kid KID   prints the public JWK of an EC P-256 key
#
# Files are written 0600 (keys) / 0644 (certificates); an existing file is never overwritten, so
# running it again is safe and a rotation is: move the old file away, run init again.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
run=${INFOBUS_RUN_DIR:-$repo/.run}
dir=$run/pki
ca_dir=""
kind=""
name=""
key=""
kid=""
command=${1:-}
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --ca-dir) ca_dir=$2; shift 2 ;;
    --kind) kind=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --kid) kid=$2; shift 2 ;;
    -h|--help) command=help; shift ;;
    *) echo "pki.sh: unknown argument '$1' (see scripts/pki.sh --help)" >&2; exit 2 ;;
  esac
done
[ -n "$ca_dir" ] || ca_dir=$dir

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

new_key() {  # path
  (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}

make_ca() {  # dir
  mkdir -p "$1"
  [ -f "$1/ca.pem" ] && return 0
  new_key "$1/ca.key"
  openssl req -x509 -new -key "$1/ca.key" -sha256 -days 3650 -subj "/O=infobus/CN=infobus local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1/ca.pem" 2>/dev/null
}

issue() {  # kind name
  local kind=$1 name=$2 out=$dir/$1s
  case "$kind" in service | source) ;; *) echo "pki.sh: --kind is service or source" >&2; exit 2 ;; esac
  [[ "$name" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || { echo "pki.sh: --name must be 1-64 of A-Z a-z 0-9 . _ -" >&2; exit 2; }
  mkdir -p "$out"
  [ -f "$out/$name.pem" ] && return 0
  new_key "$out/$name.key"
  local ext
  ext=$(mktemp)
  cat >"$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=URI:infobus://$kind/$name,DNS:localhost,IP:127.0.0.1$([ "$kind" = service ] && echo ",DNS:$name")
EXT
  openssl req -new -key "$out/$name.key" -subj "/O=infobus/CN=$name" 2>/dev/null |
    openssl x509 -req -CA "$ca_dir/ca.pem" -CAkey "$ca_dir/ca.key" -CAcreateserial -sha256 \
      -days 825 -extfile "$ext" -out "$out/$name.pem" 2>/dev/null
  rm -f "$ext"
}

jwk() {  # key kid
  # An uncompressed P-256 point is the last 65 bytes of the public key's DER: 0x04 || x || y.
  local der
  der=$(mktemp)
  openssl pkey -in "$1" -pubout -outform DER -out "$der" 2>/dev/null
  local x y
  x=$(tail -c 64 "$der" | head -c 32 | b64url)
  y=$(tail -c 32 "$der" | b64url)
  rm -f "$der"
  printf '{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"%s","x":"%s","y":"%s"}' "$2" "$x" "$y"
}

case "$command" in
  init)
    make_ca "$dir"
    for service in collection judgment dispatch supervision gateway admin kafka prometheus; do issue service "$service"; done
    for service in kafka admin; do
      keystore=$dir/services/$service.keystore.pem
      [ -f "$keystore" ] ||
        (umask 077 && cat "$dir/services/$service.key" "$dir/services/$service.pem" >"$keystore")
    done
    for source in fusui-lodging pingxiang-checkpoint wuming-netcafe chongzuo-tips; do issue source "$source"; done
    mkdir -p "$dir/jwt"
    if [ ! -f "$dir/jwt/signing.key" ]; then
      new_key "$dir/jwt/signing.key"
      printf '{"keys":[%s]}\n' "$(jwk "$dir/jwt/signing.key" local-1)" >"$dir/jwt/jwks.json"
    fi
    echo "[pki] local CA, certificates and token key in $dir (development only)"
    ;;
  issue)
    [ -n "$kind" ] && [ -n "$name" ] || { echo "pki.sh issue: --kind and --name are required" >&2; exit 2; }
    make_ca "$ca_dir"
    issue "$kind" "$name"
    echo "$dir/${kind}s/$name.pem"
    ;;
  jwk)
    [ -n "$key" ] && [ -n "$kid" ] || { echo "pki.sh jwk: --key and --kid are required" >&2; exit 2; }
    jwk "$key" "$kid"
    echo
    ;;
  help | "") usage ;;
  *) echo "pki.sh: unknown command '$command' (init, issue, jwk)" >&2; exit 2 ;;
esac
