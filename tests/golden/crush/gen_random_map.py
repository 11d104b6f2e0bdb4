#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Random crush map source for differential tests against crushtool.

usage: gen_random_map.py SEED > map.txt   (then crushtool -c ... --enable-unsafe-tunables)

Random depth, fan-out, bucket algorithms per bucket, item weights
(including 0), tunables profile or random tunables, and up to five rules
mixing firstn/indep, choose/chooseleaf, multi-level choose and rule-level
set_* steps.  Rules always end at devices, since crushtool crashes when a
rule emits buckets.
"""
import random, sys
seed=int(sys.argv[1]); rnd=random.Random(seed)
algs=['uniform','list','tree','straw','straw2']
ndev=rnd.randint(3,60)
out=[]
prof=rnd.choice(['legacy','bobtail','firefly','jewel','odd'])
T={'legacy':(2,5,19,0,0,0,0),'bobtail':(0,0,50,1,0,0,1),'firefly':(0,0,50,1,1,0,1),'jewel':(0,0,50,1,1,1,1),
   'odd':(rnd.randint(0,3),rnd.randint(0,4),rnd.randint(1,30),rnd.randint(0,1),rnd.randint(0,4),rnd.randint(0,1),rnd.randint(0,1))}[prof]
for n,v in zip(['choose_local_tries','choose_local_fallback_tries','choose_total_tries','chooseleaf_descend_once','chooseleaf_vary_r','chooseleaf_stable','straw_calc_version'],T):
    out.append(f'tunable {n} {v}')
for d in range(ndev): out.append(f'device {d} osd.{d}')
ntypes=rnd.randint(2,5)
for t in range(ntypes+1): out.append(f'type {t} t{t}' if t else 'type 0 osd')
# build hierarchy bottom-up
items=[(f'osd.{d}', rnd.choice([1.0,1.0,0.5,2.0,0.25,3.0,0.0 if rnd.random()<0.05 else 1.0])) for d in range(ndev)]
rnd.shuffle(items)
bid=-1; level=items; buckets=[]
for t in range(1,ntypes+1):
    nxt=[]; i=0
    per = rnd.randint(1,6) if t<ntypes else len(level)
    while i < len(level):
        grp=level[i:i+per]; i+=per
        alg=rnd.choice(algs)
        if alg=='tree' and len(grp)>60: alg='straw2'
        if alg=='uniform':
            w=grp[0][1]; grp=[(n,w) for n,_ in grp]
        name=f'b{-bid}'
        lines=[f't{t} {name} {{', f'\tid {bid}', f'\talg {alg}', '\thash 0']
        tot=0
        for n,w in grp:
            lines.append(f'\titem {n} weight {w:.3f}'); tot+=w
        lines.append('}')
        buckets.append('\n'.join(lines)); nxt.append((name,tot)); bid-=1
    level=nxt
out+=buckets
roots=[n for n,_ in level]
root=roots[0]
rules=[]
for rid in range(rnd.randint(1,5)):
    ec=rnd.random()<0.4
    mode='indep' if ec else 'firstn'
    steps=[]
    for s in ['set_choose_tries','set_chooseleaf_tries','set_choose_local_tries','set_choose_local_fallback_tries','set_chooseleaf_vary_r','set_chooseleaf_stable']:
        if rnd.random()<0.15: steps.append(f'\tstep {s} {rnd.randint(0,6)}')
    steps.append(f'\tstep take {root}')
    k=rnd.random()
    ft=rnd.randint(0,ntypes-1)
    if k<0.4: steps.append(f'\tstep chooseleaf {mode} {rnd.choice([0,0,1,2,-1])} type t{ft}' if ft else f'\tstep chooseleaf {mode} 0 type osd')
    elif k<0.7: steps.append(f"\tstep choose {mode} {rnd.choice([0,1,2,3,-1])} type osd")
    else:
        if ntypes>=2:
            steps.append(f'\tstep choose {mode} {rnd.choice([1,2,3])} type t{ntypes-1}')
            steps.append(f'\tstep chooseleaf {mode} {rnd.choice([0,1,2])} type t{rnd.randint(0,ntypes-2) or 1}')
        else: steps.append(f'\tstep choose {mode} 0 type osd')
    steps.append('\tstep emit')
    rules.append(f'rule r{rid} {{\n\tid {rid}\n\ttype {"erasure" if ec else "replicated"}\n\tmin_size 1\n\tmax_size {rnd.randint(1,8)}\n'+'\n'.join(steps)+'\n}')
out+=rules
print('\n'.join(out))
