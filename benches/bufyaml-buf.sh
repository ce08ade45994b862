#!/usr/bin/env bash
# Runs `buf breaking` 1.75 on the repositories of tests/bufyaml.rs (same files, same buf.yaml variants) and prints
# the rule ids buf reports per variant, to confirm the expectations written in that test.
#   BUF=<dir>/node_modules/@bufbuild/buf-linux-x64/bin/buf benches/bufyaml-buf.sh
set -euo pipefail
BUF=${BUF:-/tmp/bufstyle-buf/node_modules/@bufbuild/buf-linux-x64/bin/buf}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ORDER_V1='syntax = "proto3";\npackage acme.v1;\nmessage Order {\n  string id = 1;\n  string note = 2;\n}\n'
ORDER_V2='syntax = "proto3";\npackage acme.v1;\nmessage Order {\n  string id = 1;\n}\n'
DRAFT_V1='syntax = "proto3";\npackage acme.v1beta1;\nmessage Draft {\n  string id = 1;\n  string x = 2;\n}\n'
DRAFT_V2='syntax = "proto3";\npackage acme.v1beta1;\nmessage Draft {\n  string id = 1;\n}\n'
MODULE='version: v2\nmodules:\n  - path: proto\n'
run() { # name, buf.yaml text, [extra file, text]...
  local name=$1 yaml=$2; shift 2
  local d=$T/$name
  mkdir -p "$d/proto/acme/v1" "$d/proto/acme/v1beta1"
  (cd "$d" && git init -q -b main && { [ -z "$yaml" ] || printf "$yaml" > buf.yaml; }
   while [ $# -gt 0 ]; do mkdir -p "$(dirname "$1")"; printf "$2" > "$1"; shift 2; done
   printf "$ORDER_V1" > proto/acme/v1/order.proto; printf "$DRAFT_V1" > proto/acme/v1beta1/draft.proto
   git add -A && git -c user.email=t@t -c user.name=t commit -q -m v1 && git checkout -q -b feature
   printf "$ORDER_V2" > proto/acme/v1/order.proto; printf "$DRAFT_V2" > proto/acme/v1beta1/draft.proto
   echo "== $name: $("$BUF" breaking --against '.git#branch=main' --error-format json 2>&1 | sed -E 's/.*"path":"([^"]*)".*"type":"([^"]*)".*/\2 \1/' | sort | tr '\n' ';')")
}
run default "$MODULE"
run file "${MODULE}breaking:\n  use: [FILE]\n"
run unstable "${MODULE}breaking:\n  use: [FILE]\n  ignore_unstable_packages: true\n"
run except "${MODULE}breaking:\n  use: [FILE]\n  except: [FIELD_NO_DELETE]\n"
run ignore_only_module_relative "${MODULE}breaking:\n  use: [FILE]\n  ignore_only:\n    FIELD_NO_DELETE: [acme/v1]\n"
run ignore_only "${MODULE}breaking:\n  use: [FILE]\n  ignore_only:\n    FIELD_NO_DELETE: [proto/acme/v1]\n"
run ignore "${MODULE}breaking:\n  use: [FILE]\n  ignore: [proto/acme/v1beta1/draft.proto]\n"
run wire "${MODULE}breaking:\n  use: [WIRE]\n  ignore_unstable_packages: true\n"
run v1work '' buf.work.yaml 'version: v1\ndirectories:\n  - proto\n' proto/buf.yaml 'version: v1\nbreaking:\n  use: [FILE]\n  ignore: [acme/v1beta1]\n'
