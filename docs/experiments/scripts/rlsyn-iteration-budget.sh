#!/usr/bin/env bash
# Issue 35, fit time: RLSyn at fewer iterations / discriminator steps beside the diffusion baseline on the bundled tables
# (3 seeds, 2 threads). Writes /tmp/dp/sp-TABLE-iI-kK/ and one summary line per cell (dp-summary.py).
mkdir -p /tmp/dp
B=${BIN:-$(dirname "$0")/../../../.build/release/rlsyn}
for t in "nhefs death" "support2 death_180d"; do set -- $t
  for cfg in "1000 2" "1000 4" "2000 2" "default default"; do set -- $1 $2 $cfg
    d=/tmp/dp/sp-$1-i$3-k$4
    args=""; [ "$3" != default ] && args="--rlsyn-iterations $3 --discriminator-steps $4"
    [ -f $d/benchmark.json ] || $B benchmark $(dirname "$0")/../../../examples/data/$1.csv --outcome $2 --synthesizers rlsyn,diffusion --seeds 3 --threads 2 --quiet $args --output $d > $d.log 2>&1
    python3 "$(dirname "$0")/dp-summary.py" $d
    python3 -c "
import json,statistics as st;j=json.load(open('$d/benchmark.json'))
r=[x for x in j['runs'] if x['synthesizer']=='diffusion'];print('   diffusion LR %.3f GB %.3f fit %.1f'%(st.mean(x['metrics']['ratio_lr'] for x in r),st.mean(x['metrics']['ratio_gb'] for x in r),st.mean(x['fitSeconds'] for x in r)))"
  done
done
