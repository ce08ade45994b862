#!/usr/bin/env bash
# Decode throughput (issue 13): small Avro records from a kcat `%R%s` length-prefixed stream, as
# `kcat -C -t orders -f '%R%s' | schemaguard decode --subject … --framing length` reads them.
#
#   benches/decode-throughput.sh [RECORDS]       # default 1,000,000; builds --release unless SG is set
#   SG=/path/to/schemaguard benches/decode-throughput.sh 200000
#
# The stream is made once by `schemaguard encode` (not timed) under the target dir. Prints wall and CPU seconds,
# records/s over wall time and records/s per CPU second (decode is one thread: that is the per-core figure),
# and peak RSS.
set -euo pipefail

N="${1:-1000000}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
WORK="$TARGET/bench-decode"
[ -n "${SG:-}" ] || (cd "$ROOT" && cargo build --release >&2)
SG="${SG:-$TARGET/release/schemaguard}"

mkdir -p "$WORK/schemas"
cat > "$WORK/schemas/order.avsc" <<'EOF'
{"type": "record", "name": "OrderPlaced", "namespace": "acme", "fields": [
  {"name": "id", "type": "string"},
  {"name": "customer", "type": "string"},
  {"name": "amount_minor", "type": "long"},
  {"name": "currency", "type": {"type": "enum", "name": "Currency", "symbols": ["EUR", "USD", "CHF"]}},
  {"name": "coupon", "type": ["null", "string"], "default": null},
  {"name": "placed_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}]}
EOF

STREAM="$WORK/orders-$N.bin"
if [ ! -s "$STREAM" ]; then
  awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++) {
      c = (i % 3 == 0) ? "EUR" : ((i % 3 == 1) ? "USD" : "CHF");
      coupon = (i % 5 == 0) ? "{\"string\":\"SAVE5\"}" : "null";
      printf "{\"id\":\"o-%d\",\"customer\":\"c-%d\",\"amount_minor\":%d,\"currency\":\"%s\",\"coupon\":%s,\"placed_at\":%.0f}\n",
        i, i % 9973, 100 + i % 100000, c, coupon, 1733300000000 + i } }' > "$WORK/orders.jsonl"
  (cd "$WORK" && "$SG" encode --subject acme.OrderPlaced --framing length orders.jsonl > "$STREAM.partial")
  mv "$STREAM.partial" "$STREAM" && rm -f "$WORK/orders.jsonl"
fi

(cd "$WORK" && /usr/bin/time -v "$SG" decode --subject acme.OrderPlaced --framing length "$STREAM" > "$WORK/out.jsonl") \
  2> "$WORK/time.txt" || { cat "$WORK/time.txt"; exit 1; }
lines=$(wc -l < "$WORK/out.jsonl")
[ "$lines" -eq "$N" ] || { echo "decoded $lines records, expected $N" >&2; exit 1; }
elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.txt")
wall=$(echo "$elapsed" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
user=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")
sys=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$WORK/time.txt")
cpu=$(echo "$user + $sys" | bc | xargs printf "%.2f")
echo "decode $N Avro records ($(stat -c %s "$STREAM") bytes, %R%s framing): wall ${wall} s, cpu ${cpu} s, peak RSS $((rss / 1024)) MB"
echo "records/s: $(echo "$N / $wall" | bc) (wall), $(echo "$N / $cpu" | bc) per CPU second (one core)"
head -1 "$WORK/out.jsonl"
