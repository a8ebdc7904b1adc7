#!/usr/bin/env bash
# audit-segment.sh: check Taskledger log segments without the taskledger binary.
#
# Tools: bash, coreutils, xxd, lz4, jq, sha256sum. The format is described in docs/log-format.md.
#
#   scripts/audit-segment.sh [-p PREVIOUS_HASH] [-F] WORKSPACE SEGMENT...
#
# SEGMENT files are checked in the order given, as one chain; pass them in log order
# (`log/segment-*.lz4` sorts correctly). The chain starts from the genesis hash,
# SHA-256("taskledger genesis WORKSPACE"), when the first segment starts at position 1.
# To audit a later segment on its own, give the batchHash of the batch before it with -p
# (for example from `taskledger log dump`, or from a previous run of this script).
# -F skips the CRC-32C of each LZ4 frame (computed in pure bash, so slow on large segments);
# the LZ4 content checksum and the SHA-256 digests are still checked.
#
# For each batch it checks: the skippable-frame magic and size, the header CRC-32C, the payload
# magic and layout version, the frame CRC-32C, the LZ4 frame (lz4 checks its XXH32 content
# checksum), the decompressed size and line count, each line's position and time, stream versions,
# the content digest, the previous hash, the batch hash, and that commit time never goes back.
#
# stdout: one JSON line per batch, byte for byte what `taskledger log dump` prints.
# stderr: progress and the verdict. Exit 0: every batch checks. Exit 1: the first mismatch (named
# on stderr). Exit 2: usage error or a missing tool.
set -euo pipefail
export LC_ALL=C

usage() {
  echo "usage: $0 [-p PREVIOUS_HASH] [-F] WORKSPACE SEGMENT..." >&2
  exit 2
}

previous=""
check_frame_crc=1
while getopts "p:F" option; do
  case $option in
    p) previous=$OPTARG ;;
    F) check_frame_crc=0 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[[ $# -ge 2 ]] || usage
workspace=$1
shift

for tool in xxd lz4 jq sha256sum od dd split truncate date; do
  command -v "$tool" >/dev/null || { echo "audit: $tool is not installed" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Stops at the first mismatch.
fail() {
  echo "audit: MISMATCH: $*" >&2
  exit 1
}

# oneline FILE: the text of FILE (an error message) on one line.
oneline() {
  local text
  text=$(<"$1")
  echo "${text//$'\n'/ }"
}

# le HEX: the unsigned (for 8 bytes: two's-complement signed) value of little-endian HEX.
le() {
  local hex=$1 out="" i
  for ((i = ${#hex} - 2; i >= 0; i -= 2)); do out+=${hex:i:2}; done
  echo $((16#$out))
}

# sha256_hex HEX: SHA-256 of the bytes spelled by HEX.
sha256_hex() { printf '%s' "$1" | xxd -r -p | sha256sum | cut -c1-64; }

# CRC-32C (Castagnoli, reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF).
crc_table=()
for ((n = 0; n < 256; n++)); do
  c=$n
  for ((k = 0; k < 8; k++)); do
    if ((c & 1)); then c=$(((c >> 1) ^ 0x82F63B78)); else c=$((c >> 1)); fi
  done
  crc_table[n]=$c
done
# crc32c FILE [SKIP COUNT]: CRC-32C of COUNT bytes of FILE from SKIP (default: the whole file).
crc32c() {
  local crc=0xFFFFFFFF byte
  for byte in $(od -An -v -tu1 -j "${2:-0}" ${3:+-N "$3"} "$1"); do
    crc=$((crc_table[(crc ^ byte) & 0xFF] ^ (crc >> 8)))
  done
  echo $((crc ^ 0xFFFFFFFF))
}

# rfc3339 MICROS: microseconds since the epoch as 2026-11-27T10:19:13.434701Z (how the log writes time).
rfc3339() {
  local micros=$1 seconds fraction
  seconds=$((micros / 1000000)) fraction=$((micros % 1000000))
  if ((fraction < 0)); then seconds=$((seconds - 1)) fraction=$((fraction + 1000000)); fi
  printf '%s.%06dZ' "$(date -u -d "@$seconds" +%Y-%m-%dT%H:%M:%S)" "$fraction"
}

first_segment=1
expected_position=0   # the position the next batch must start at (0: take it from the first segment's name)
last_time=""          # commit time of the previous batch, in microseconds
declare -A stream_version=()
batches=0
events=0

for segment in "$@"; do
  name=$(basename "$segment")
  [[ $name =~ ^segment-([0-9]{20})\.lz4$ ]] || fail "$segment: not named segment-<20 digits>.lz4"
  base=$((10#${BASH_REMATCH[1]}))
  [[ -f $segment ]] || fail "$segment: no such file"
  size=$(stat -c %s "$segment")

  if ((first_segment)); then
    if [[ -z $previous ]]; then
      ((base == 1)) || fail "$name does not start at position 1: give the hash of the batch before it with -p"
      previous=$(printf 'taskledger genesis %s' "$workspace" | sha256sum | cut -c1-64)
      echo "audit: genesis hash of workspace '$workspace': $previous" >&2
    fi
    [[ $previous =~ ^[0-9a-f]{64}$ ]] || fail "-p wants 64 lower-case hex digits"
    # Versions are only known from genesis; from -p on, a stream's first version seen is taken as given.
    from_genesis=$((base == 1))
    expected_position=$base
    first_segment=0
  fi
  ((base == expected_position)) || fail "$name: segment starts at position $base, expected $expected_position"

  offset=0
  while ((offset < size)); do
    where="$name offset $offset"
    ((size - offset >= 8)) || fail "$where: $((size - offset)) stray bytes at the end of the segment"

    # The 8-byte skippable-frame header: magic and frame size, both u32 little-endian.
    read -r magic frame_size < <(od -An -tu4 --endian=little -j "$offset" -N 8 "$segment")
    if ((magic == 0x184D2A5F)); then
      # Filler: the pre-allocated, unused tail of the active segment. It must reach the end of the file.
      ((offset + 8 + frame_size == size)) || fail "$where: filler covers $frame_size bytes, but $((size - offset - 8)) remain"
      echo "audit: $name: filler frame at offset $offset covers the $frame_size unused bytes to the end" >&2
      break
    fi
    ((magic == 0x184D2A5A)) || fail "$where: no batch header (magic $(printf '0x%08x' "$magic"))"
    ((frame_size == 140)) || fail "$where: batch header of $frame_size bytes, expected 140"
    ((offset + 148 <= size)) || fail "$where: batch header cut short"

    # The 140-byte header payload, as 280 hex digits. ${h:2*OFFSET:2*SIZE} is the field at OFFSET.
    h=$(xxd -p -s $((offset + 8)) -l 140 "$segment" | tr -d '\n')
    stored_crc=$(le "${h:272:8}")
    computed_crc=$(crc32c "$segment" $((offset + 8)) 136)
    ((stored_crc == computed_crc)) || fail "$where: header CRC-32C $(printf %08x "$computed_crc"), header says $(printf %08x "$stored_crc")"
    [[ ${h:0:8} == 544c4231 ]] || fail "$where: payload magic is not TLB1"
    [[ ${h:8:4} == 0100 ]] || fail "$where: layout version $(le "${h:8:4}") is not 1"
    first_position=$(le "${h:16:16}")
    event_count=$(le "${h:32:8}")
    raw_bytes=$(le "${h:40:8}")
    frame_bytes=$(le "${h:48:8}")
    frame_crc=$(le "${h:56:8}")
    committed_at=$(le "${h:64:16}")
    previous_hash=${h:80:64}
    content_digest=${h:144:64}
    batch_hash=${h:208:64}
    last_position=$((first_position + event_count - 1))
    time=$(rfc3339 "$committed_at")
    where="$where (position $first_position)"

    ((event_count > 0)) || fail "$where: batch header has no events"
    ((first_position == expected_position)) || fail "$where: batch starts at position $first_position, expected $expected_position"
    [[ $previous_hash == "$previous" ]] || fail "$where: previousHash $previous_hash, but the chain says $previous"
    [[ -z $last_time ]] || ((committed_at >= last_time)) || fail "$where: commit time goes backwards"
    ((offset + 148 + frame_bytes <= size)) || fail "$where: batch of $((148 + frame_bytes)) bytes runs past the end of the file"

    # The LZ4 frame: frame_bytes bytes right after the header.
    dd if="$segment" of="$work/frame" iflag=skip_bytes,count_bytes skip=$((offset + 148)) count="$frame_bytes" bs=1M status=none
    if ((check_frame_crc)); then
      computed_crc=$(crc32c "$work/frame")
      ((computed_crc == frame_crc)) || fail "$where: frame CRC-32C $(printf %08x "$computed_crc"), header says $(printf %08x "$frame_crc")"
    fi
    # lz4 checks the frame's structure and its XXH32 content checksum.
    lz4 -dc <"$work/frame" >"$work/lines" 2>"$work/lz4.err" || fail "$where: lz4: $(oneline "$work/lz4.err")"
    actual=$(stat -c %s "$work/lines")
    ((actual == raw_bytes)) || fail "$where: frame holds $actual bytes, header says $raw_bytes"
    [[ $(tail -c 1 "$work/lines" | xxd -p) == 0a ]] || fail "$where: the last line has no newline"
    actual=$(wc -l <"$work/lines")
    ((actual == event_count)) || fail "$where: batch holds $actual lines, header says $event_count"

    # Each line's position, time, stream and stream version.
    jq -r '[.position, .time, .subject, .streamversion] | @tsv' <"$work/lines" >"$work/fields" 2>"$work/jq.err" ||
      fail "$where: a line is not a JSON event: jq: $(oneline "$work/jq.err")"
    position=$first_position
    while IFS=$'\t' read -r line_position line_time subject version; do
      ((line_position == position)) || fail "$where: line $((position - first_position + 1)) has position $line_position, expected $position"
      [[ $line_time == "$time" ]] || fail "$where: event $position has time $line_time, the header says $time"
      if [[ -n ${stream_version[$subject]+set} ]] || ((from_genesis)); then
        want=$((${stream_version[$subject]:-0} + 1))
        ((version == want)) || fail "$where: event $position: stream $subject goes from version $((want - 1)) to $version"
      fi
      stream_version[$subject]=$version
      position=$((position + 1))
    done <"$work/fields"

    # Line digests: SHA-256 of each line without its newline — or, for a redacted line, the digest of the
    # line as first written, which it keeps in "redacteddigest" (docs/auditing.md). contentDigest: SHA-256
    # of those 32-byte digests, concatenated in order.
    rm -f "$work"/line.*
    split -l 1 -d -a 8 "$work/lines" "$work/line."
    truncate -s -1 "$work"/line.*
    digests=""
    while read -r computed file; do
      line=$(<"$file")
      # Outside JSON strings only: inside one, its quotes would be escaped.
      if [[ $line == *',"redacteddigest":"'* ]]; then
        kept=${line#*,\"redacteddigest\":\"}
        digests+=${kept:0:64}
      else
        digests+=$computed
      fi
    done < <(sha256sum "$work"/line.*)
    actual=$(sha256_hex "$digests")
    [[ $actual == "$content_digest" ]] || fail "$where: contentDigest $actual, header says $content_digest"

    # batchHash = SHA-256(previousHash ‖ firstPosition u64 BE ‖ eventCount u32 BE ‖ committedAt µs i64 BE ‖ contentDigest).
    actual=$(sha256_hex "$previous_hash$(printf '%016x%08x%016x' "$first_position" "$event_count" "$committed_at")$content_digest")
    [[ $actual == "$batch_hash" ]] || fail "$where: batchHash $actual, header says $batch_hash"

    # The same line `taskledger log dump` prints for this batch.
    printf '{"segment":"%s","offset":%d,"firstPosition":%d,"lastPosition":%d,"events":%d,"rawBytes":%d,"storedBytes":%d,"committedAt":"%s","previousHash":"%s","contentDigest":"%s","batchHash":"%s"}\n' \
      "$name" "$offset" "$first_position" "$last_position" "$event_count" "$raw_bytes" $((148 + frame_bytes)) \
      "$time" "$previous_hash" "$content_digest" "$batch_hash"

    previous=$batch_hash
    last_time=$committed_at
    expected_position=$((last_position + 1))
    offset=$((offset + 148 + frame_bytes))
    batches=$((batches + 1))
    events=$((events + event_count))
  done
done

echo "audit: ok: $batches batches, $events events, head position $((expected_position - 1)), head hash $previous" >&2
