#!/usr/bin/env bash
# NBD export benchmark: fio's nbd engine against
#   cephc-nbd   nbdkit + the cephc plugin
#   qnbd        qemu-nbd + librbd, rbd cache off (--cache=none)
#   qnbd-wb     qemu-nbd + librbd, rbd cache on (--cache=writeback)
#   memory      nbdkit's memory plugin (the NBD floor: no Ceph at all)
# and, without NBD, the clients themselves:
#   cephc       `cephc rbd bench`
#   librbd      fio's rbd engine (rbd cache off)
# on the same cluster in the same run: 4 KiB random read and write at QD1
# and QD32 (4 connections x 8), 4 MiB sequential read and write at QD8.
# Each case runs ROUNDS times, the order of the servers alternating, and
# the figures are totals over the rounds.  Prints IOPS (MB/s for 4 MiB),
# mean latency for QD1, and the ratios of cephc-nbd to qemu-nbd.
#   CEPHC_TEST_CONF=... bench/nbd.sh BUILD_DIR
# Env: NBD_BENCH_RUNTIME (seconds per run, 5), NBD_BENCH_ROUNDS (2).
set -euo pipefail
conf=${CEPHC_TEST_CONF:?set CEPHC_TEST_CONF to a ceph.conf}
build=$(cd "${1:-build}" && pwd)
plugin=$build/nbdkit-cephc-plugin.so
cephc=$build/cephc
runtime=${NBD_BENCH_RUNTIME:-5}
rounds=${NBD_BENCH_ROUNDS:-2}
export CEPH_CONF=$conf PATH=/usr/bin:/bin:$PATH
for t in nbdkit qemu-nbd fio; do
	command -v $t >/dev/null || { echo "nbd bench: $t missing, skipped"; exit 0; }
done
[ -f "$plugin" ] || { echo "nbd bench: $plugin missing, skipped"; exit 0; }
fio --enghelp 2>/dev/null | grep -qw rbd && have_fio_rbd=1 || have_fio_rbd=0

work=$(mktemp -d)
img_c=rbd/nbdbench$$-c
img_q=rbd/nbdbench$$-q
srv_pid=
cleanup() {
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null
	for i in "$img_c" "$img_q"; do rbd rm --no-progress "$i" >/dev/null 2>&1 || true; done
	rm -rf "$work"
}
trap cleanup EXIT
size=256M
for i in "$img_c" "$img_q"; do
	rbd create --size $size --image-feature layering "$i"
	# reads must hit data, not holes
	rbd bench --io-type write --io-size 4M --io-threads 8 --io-total $size \
		--rbd-cache=false "$i" >/dev/null
done

# start SERVER THREADS: serve on $work/s.sock; srv_pid set
start() {
	local sock=$work/s.sock
	rm -f "$sock" "$sock.pid"
	case $1 in
	cephc-nbd)
		nbdkit -f -U "$sock" -P "$sock.pid" -t "$2" "$plugin" \
			image="$img_c" conf="$conf" 2>>"$work/srv.log" & ;;
	memory)
		nbdkit -f -U "$sock" -P "$sock.pid" -t "$2" memory size=$size \
			2>>"$work/srv.log" & ;;
	qnbd | qnbd-wb)
		local cache=none
		[ "$1" = qnbd-wb ] && cache=writeback
		qemu-nbd -f raw -t -k "$sock" --pid-file="$sock.pid" -e 8 \
			--cache=$cache --aio=threads "rbd:$img_q:conf=$conf" \
			2>>"$work/srv.log" & ;;
	esac
	srv_pid=$!
	for _ in $(seq 200); do
		[ -s "$sock.pid" ] && [ -S "$sock" ] && return 0
		sleep 0.05
	done
	echo "nbd bench: $1 did not start"; cat "$work/srv.log"; return 1
}
stop() {
	kill "$srv_pid" 2>/dev/null || true
	wait "$srv_pid" 2>/dev/null || true
	srv_pid=
}

# fio_json FILE: "ops iops lat_us bw_MBps" summed over read+write
fio_sum() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
ops = iops = bw = lat = 0.0
for d in ("read", "write"):
    x = j[d]
    ops += x["total_ios"]; iops += x["iops"]; bw += x["bw_bytes"] / 1e6
    lat += x["clat_ns"]["mean"] / 1e3 * x["total_ios"]
print("%d %.1f %.1f %.1f" % (ops, iops, lat / ops if ops else 0, bw))
EOF
}

# one WHO RW BS QD JOBS: prints "ops iops lat_us MBps"
one() {
	local who=$1 rw=$2 bs=$3 qd=$4 jobs=$5
	local common=(--name=b --rw="$rw" --bs="$bs" --iodepth="$qd" --numjobs="$jobs"
		--size=$size --time_based --runtime="$runtime" --ramp_time=1
		--group_reporting --output-format=json --output="$work/fio.json")
	case $who in
	cephc)
		local total pat=rand type=${rw#rand}
		[ "$rw" = "$type" ] && pat=seq
		total=$([ "$bs" = 4k ] && echo $((qd * jobs > 1 ? 64 : 8))M || echo 1G)
		local t0 t1
		t0=$EPOCHREALTIME
		"$cephc" -c "$conf" rbd bench --io-type "$type" --io-pattern $pat \
			--io-size "${bs^^}" --io-threads $((qd * jobs)) \
			--io-total "$total" "$img_c" > "$work/cb.out" 2> "$work/cb.err"
		t1=$EPOCHREALTIME
		awk -v t0="$t0" -v t1="$t1" -v bs="$bs" -v thr=$((qd * jobs)) '/^elapsed/ {
			ops = $4; iops = $6
			b = (bs == "4k") ? 4096 : 4194304
			printf "%d %.1f %.1f %.1f\n", ops, iops, thr / iops * 1e6, iops * b / 1e6 }' "$work/cb.out"
		return ;;
	librbd)
		CEPH_ARGS="--rbd-cache=false" fio --ioengine=rbd --clientname=admin \
			--pool=rbd --rbdname="${img_q#rbd/}" "${common[@]}" >/dev/null 2>&1
		fio_sum "$work/fio.json"
		return ;;
	esac
	start "$who" "$qd"
	fio --ioengine=nbd --uri="nbd+unix:///?socket=$work/s.sock" "${common[@]}" \
		>/dev/null 2>"$work/fio.err" || { cat "$work/fio.err"; stop; return 1; }
	stop
	fio_sum "$work/fio.json"
}

servers=(memory cephc-nbd qnbd qnbd-wb cephc)
[ $have_fio_rbd = 1 ] && servers+=(librbd)
echo "machine: $(nproc) vCPU, load $(cut -d' ' -f1-3 /proc/loadavg); ${runtime}s x $rounds rounds per figure"
printf "%-18s" case
for s in "${servers[@]}"; do printf " %10s" "$s"; done
printf " %9s %9s %14s\n" "x_qnbd" "x_qnbd-wb" "lat_us(c/q)"
for c in "randread 4k 1 1" "randwrite 4k 1 1" "randread 4k 8 4" "randwrite 4k 8 4" \
	"read 4M 8 1" "write 4M 8 1"; do
	read -r rw bs qd jobs <<< "$c"
	for s in "${servers[@]}"; do : > "$work/r.$s"; done
	for ((k = 0; k < rounds; k++)); do
		order=("${servers[@]}")
		if ((k % 2)); then
			for ((i = 0; i < ${#servers[@]}; i++)); do
				order[i]=${servers[${#servers[@]} - 1 - i]}
			done
		fi
		for s in "${order[@]}"; do
			one "$s" "$rw" "$bs" "$qd" "$jobs" >> "$work/r.$s" || echo "0 1 0 0" >> "$work/r.$s"
		done
	done
	# totals: IOPS = sum over rounds / rounds; MB/s likewise; latency mean
	declare -A fig lat
	for s in "${servers[@]}"; do
		read -r fig[$s] lat[$s] < <(awk -v big="$([ "$bs" = 4M ] && echo 1 || echo 0)" \
			'{n++; iops += $2; lat += $3; bw += $4}
			 END {printf "%.0f %.0f\n", (big ? bw : iops) / n, lat / n}' "$work/r.$s")
	done
	printf "%-18s" "$rw $bs qd$((qd * jobs))"
	for s in "${servers[@]}"; do printf " %10s" "${fig[$s]}"; done
	rq=$(awk -v a="${fig[cephc-nbd]}" -v b="${fig[qnbd]}" 'BEGIN {printf "%.2fx", b ? a / b : 0}')
	rw_=$(awk -v a="${fig[cephc-nbd]}" -v b="${fig[qnbd-wb]}" 'BEGIN {printf "%.2fx", b ? a / b : 0}')
	printf " %9s %9s %14s\n" "$rq" "$rw_" "${lat[cephc-nbd]}/${lat[qnbd]}"
done
echo "(4 MiB rows in MB/s, others IOPS; qd32 = 4 connections x 8; x_*: cephc-nbd / that server)"
