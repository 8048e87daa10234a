"""Independent float64 numpy re-implementations of some rules, written from README.md's formulas, checked against
modern_matrix.csv (every configuration of those rules): prints the largest absolute difference over all steps
(and for sf_adamw of the e columns). Made to validate the README as a specification; no torch needed.

    python3 Tests/Fixtures/modern/independent_check.py

Measured (numpy 2.4.6): muon, sf_adamw, prodigy, lamb, lars, adan, ademamix, adafactor <= 1e-14; nadamw <= 3e-11;
soap <= 5e-11; shampoo <= 7e-11 (eigh-based roots of rank-deficient early factors).
"""
import os
HERE = os.path.dirname(os.path.abspath(__file__))
import csv, numpy as np, sys
D={}
for r in csv.DictReader(open(os.path.join(HERE, 'matrix_problem.csv'))):
    D.setdefault(r['array'],{})[(int(r['row']),int(r['col']))]=float(r['value'])
def arr(n):
    c=D[n]; R=1+max(i for i,_ in c); C=1+max(j for _,j in c)
    return np.array([[c[(i,j)] for j in range(C)] for i in range(R)])
X,Y,W0,b0=arr('X'),arr('Y'),arr('W0'),arr('b0')[:,0]; m=X.shape[0]
def grad(W,b):
    r=X@W.T+b-Y; return r.T@X/m, r.sum(0)/m
rows={}
for r in csv.reader(open(os.path.join(HERE, 'modern_matrix.csv'))):
    if r[0]=='optimizer': continue
    rows.setdefault((r[0],r[1]),[]).append(np.array([float(v) for v in r[4:28]]))
def inv_root(F,eps,r):
    A=F+eps*np.eye(len(F)); L,Q=np.linalg.eigh(A)
    if L.min()<eps: L=L-L.min()+eps
    return (Q*L**(-1.0/r))@Q.T
def shampoo(hp, steps=60):
    lr=float(np.float32(hp.get('lr',0.01))); b1,b2=hp.get('betas',(0.9,1.0)); b3=hp.get('beta3',-1); b3=b1 if b3==-1 else b3
    eps=hp.get('epsilon',1e-12); freq=hp.get('precondition_frequency',1); start=hp.get('start_preconditioning_step',-1)
    start=freq if start==-1 else start; ubc=hp.get('use_bias_correction',True); wd=hp.get('weight_decay',0.0)
    graft=hp.get('grafting','none'); gb2=hp.get('grafting_beta2',0.999 if graft=='adam' else 0.99); geps=hp.get('grafting_epsilon',1e-10)
    tpd=hp.get('target_parameter_dimensionality',1); wdt=hp.get('weight_decay_type','DECOUPLED')
    params=[W0.copy(),b0.copy()]
    def shape(p): return p.shape if tpd==float('inf') else ((p.size,) if p.ndim==2 and p.size<=1024 else p.shape)
    st=[dict(F=[np.zeros((n,n)) for n in shape(p)], X=[np.eye(n) for n in shape(p)], Gt=np.zeros(shape(p)), V=np.zeros(shape(p))) for p in params]
    out=[np.concatenate([p.ravel() for p in params])]
    for t in range(1,steps+1):
        gs=grad(*params)
        for p,g,s in zip(params,gs,st):
            G=g.reshape(shape(p)); Wb=p.reshape(shape(p))
            if wdt=='L2' and wd: G=G+wd*Wb
            for k,n in enumerate(G.shape):
                C=G@G.T if (G.ndim==2 and k==0) else (G.T@G if G.ndim==2 else np.outer(G,G))
                s['F'][k]= (b2*s['F'][k]+(1-b2)*C) if b2!=1 else s['F'][k]+C
            bc2=1-b2**t if (ubc and b2<1) else 1.0
            if graft=='adagrad': s['V']+=G*G
            elif graft in('adam','rmsprop'): s['V']=gb2*s['V']+(1-gb2)*G*G
            gbc=1-gb2**t if graft=='adam' else 1.0
            if (t%freq==0 and t>start) or t==start:
                s['X']=[inv_root(F/bc2,eps,2*G.ndim) for F in s['F']]
            if b1!=0:
                Gb=(s['Gt']+(1-b3)*(G-s['Gt'])) if b3!=b1 else None
                s['Gt']=s['Gt']+(1-b1)*(G-s['Gt'])
                if Gb is None: Gb=s['Gt']
                if ubc: Gb=Gb/(1-b3*b1**(t-1))
            else: Gb=G
            Pg=Gb/(np.sqrt(s['V']/gbc)+geps) if graft!='none' else None
            if t<start and graft!='none': P=Pg
            else:
                Ps=s['X'][0]@Gb@s['X'][1] if G.ndim==2 else s['X'][0]@Gb
                P=Ps if Pg is None else np.linalg.norm(Pg)/(np.linalg.norm(Ps)+1e-16)*Ps
            if wd and wdt=='DECOUPLED': P=P+wd*Wb
            p-= lr*P.reshape(p.shape)
        out.append(np.concatenate([p.ravel() for p in params]))
    return out
def word(hp):
    def v(x):
        if isinstance(x,bool): return 'true' if x else 'false'
        if isinstance(x,tuple): return ','.join(repr(e) for e in x)
        if isinstance(x,str): return x
        return repr(x)
    return ' '.join(f'{k}={v(x)}' for k,x in hp.items())

def soap(hp, steps=60):
    lr=hp.get('lr',3e-3); b1,b2=hp.get('betas',(0.95,0.95)); sb=hp.get('shampoo_beta',-1); sb=b2 if sb<0 else sb
    eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0.01); freq=hp.get('precondition_frequency',10); mpd=hp.get('max_precond_dim',10000)
    p1d=hp.get('precondition_1d',False); ng=hp.get('normalize_grads',False); cb=hp.get('correct_bias',True)
    params=[W0.copy(),b0.copy()]; st=[{} for _ in params]
    def proj(x,Q):
        if x.ndim==2:
            A=Q[0].T@x if Q[0] is not None else x
            return A@Q[1] if Q[1] is not None else A
        return Q[0].T@x if Q[0] is not None else x
    def back(x,Q):
        if x.ndim==2:
            A=Q[0]@x if Q[0] is not None else x
            return A@Q[1].T if Q[1] is not None else A
        return Q[0]@x if Q[0] is not None else x
    def outer(g,k): return (g@g.T if k==0 else g.T@g) if g.ndim==2 else np.outer(g,g)
    def upd(g,s):
        if s['Q'] is not None: s['m']=back(s['m'],s['Q'])
        for k in range(len(s['GG'])):
            if s['GG'][k] is not None: s['GG'][k]=s['GG'][k]+(1-sb)*(outer(g,k)-s['GG'][k])
        if s['Q'] is None:
            s['Q']=[None if F is None else np.linalg.eigh(F+1e-30*np.eye(len(F)))[1][:,::-1] for F in s['GG']]
        if s['t']>0 and s['t']%freq==0:
            newQ=[]
            for k,(F,o) in enumerate(zip(s['GG'],s['Q'])):
                if F is None: newQ.append(None); continue
                est=np.diag(o.T@F@o); idx=np.argsort(-est,kind='stable')
                s['v']=np.take(s['v'],idx,axis=k); o=o[:,idx]
                newQ.append(np.linalg.qr(F@o)[0])
            s['Q']=newQ
        if s['t']>0: s['m']=proj(s['m'],s['Q'])
    out=[np.concatenate([p.ravel() for p in params])]
    for t in range(steps):
        gs=grad(*params)
        for p,g,s in zip(params,gs,st):
            if not s:
                s.update(t=0,m=np.zeros_like(g),v=np.zeros_like(g),Q=None)
                if g.ndim==1: s['GG']=[np.zeros((len(g),len(g))) if (p1d and len(g)<=mpd) else None]
                else: s['GG']=[np.zeros((n,n)) if n<=mpd else None for n in g.shape]
                upd(g,s); continue
            gp=proj(g,s['Q']); s['t']+=1
            s['m']=b1*s['m']+(1-b1)*gp; s['v']=b2*s['v']+(1-b2)*gp*gp
            den=np.sqrt(s['v'])+eps; step=lr
            if cb: step=step*(1-b2**s['t'])**.5/(1-b1**s['t'])
            n=back(s['m']/den,s['Q'])
            if ng: n=n/(1e-30+np.mean(n**2)**.5)
            p-=step*n
            if wd>0: p-=lr*wd*p
            upd(g,s)
        out.append(np.concatenate([p.ravel() for p in params]))
    return out
def muon(hp, steps=60):
    lr=hp.get('lr',1e-3); wd=hp.get('weight_decay',0.1); mu=hp.get('momentum',0.95); nest=hp.get('nesterov',True)
    a,b,c=hp.get('ns_coefficients',(3.4445,-4.775,2.0315)); eps=hp.get('eps',1e-7); ns=hp.get('ns_steps',5); adj=hp.get('adjust_lr_fn',None)
    alr=hp.get('adamw_lr',1e-3); ab1,ab2=hp.get('adamw_betas',(0.9,0.999)); aeps=hp.get('adamw_eps',1e-8); awd=hp.get('adamw_weight_decay',0.01)
    W,bb=W0.copy(),b0.copy(); B=np.zeros_like(W); m=np.zeros_like(bb); v=np.zeros_like(bb); out=[np.concatenate([W.ravel(),bb])]
    for t in range(1,steps+1):
        gW,gb=grad(W,bb)
        B=B+(1-mu)*(gW-B); U=gW+mu*(B-gW) if nest else B
        Xm=U.T if U.shape[0]>U.shape[1] else U.copy(); Xm=Xm/max(np.linalg.norm(Xm),eps)
        for _ in range(ns):
            A=Xm@Xm.T; Bm=b*A+c*A@A; Xm=a*Xm+Bm@Xm
        if U.shape[0]>U.shape[1]: Xm=Xm.T
        r,cc=W.shape; f=np.sqrt(max(1,r/cc)) if adj in (None,'original') else 0.2*np.sqrt(max(r,cc))
        W=W*(1-lr*wd); W=W-lr*f*Xm
        bb=bb*(1-alr*awd); m=m+(1-ab1)*(gb-m); v=ab2*v+(1-ab2)*gb*gb
        bb=bb-(alr/(1-ab1**t))*m/(np.sqrt(v)/np.sqrt(1-ab2**t)+aeps)
        out.append(np.concatenate([W.ravel(),bb]))
    return out

def nadamw(hp, steps=60):
    lr=hp.get('lr',0.002); b1,b2=hp.get('betas',(0.9,0.999)); eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0); psi=hp.get('momentum_decay',0.004)
    P=[W0.copy(),b0.copy()]; S=[dict(m=np.zeros_like(p),v=np.zeros_like(p),mp=1.0) for p in P]; out=[np.concatenate([p.ravel() for p in P])]
    for t in range(1,steps+1):
        gs=grad(*P)
        for p,g,s in zip(P,gs,S):
            p*= (1-lr*wd)
            mu=b1*(1-0.5*0.96**(t*psi)); mun=b1*(1-0.5*0.96**((t+1)*psi)); s['mp']*=mu
            s['m']+= (1-b1)*(g-s['m']); s['v']=b2*s['v']+(1-b2)*g*g
            d=np.sqrt(s['v']/(1-b2**t))+eps
            p+= -lr*(1-mu)/(1-s['mp'])*g/d
            p+= -lr*mun/(1-s['mp']*mun)*s['m']/d
        out.append(np.concatenate([p.ravel() for p in P]))
    return out
def adafactor(hp, steps=60):
    lr=hp.get('lr',0.01); bd=hp.get('beta2_decay',-0.8); e1=hp.get('eps1',np.finfo(float).eps); e2=hp.get('eps2',1e-3); dd=hp.get('d',1.0); wd=hp.get('weight_decay',0.0)
    P=[W0.copy(),b0.copy()]; S=[dict(R=np.zeros((4,1)),C=np.zeros((1,5))),dict(V=np.zeros(4))]; out=[np.concatenate([p.ravel() for p in P])]
    for t in range(1,steps+1):
        gs=grad(*P)
        for p,g,s in zip(P,gs,S):
            w=t**bd; rho=min(lr,1/np.sqrt(t)); alpha=max(e2,np.linalg.norm(p)/np.sqrt(p.size))*rho
            if wd: p*=(1-lr*wd)
            if g.ndim==2:
                s['R']+=w*((g*g).mean(1,keepdims=True)-s['R']); s['C']+=w*((g*g).mean(0,keepdims=True)-s['C'])
                V=s['R']@s['C']/max(s['R'].mean(),e1)
            else:
                s['V']+=w*(g*g-s['V']); V=s['V'].copy()
            u=g/np.sqrt(np.maximum(V,e1*e1)); den=max(1.0,np.linalg.norm(u)/(np.sqrt(u.size)*dd))
            p-= alpha/den*u
        out.append(np.concatenate([p.ravel() for p in P]))
    return out

erows={}
for r in csv.reader(open(os.path.join(HERE, 'modern_matrix.csv'))):
    if r[0]=='optimizer': continue
    erows.setdefault((r[0],r[1]),[]).append(np.array([float(v) if v else np.nan for v in r[28:52]]))
def flat(P): return np.concatenate([p.ravel() for p in P])
def prodigy(hp,steps=60):
    lr=hp.get('lr',1.0); b1,b2=hp.get('betas',(0.9,0.999)); b3=hp.get('beta3',None); b3=np.sqrt(b2) if b3 is None else b3
    eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0); dec=hp.get('decouple',True); ubc=hp.get('use_bias_correction',False)
    sg=hp.get('safeguard_warmup',False); d0=hp.get('d0',1e-6); dc=hp.get('d_coef',1.0); gr=hp.get('growth_rate',np.inf); sp=hp.get('slice_p',1)
    P=[W0.copy(),b0.copy()]; S=[dict(m=np.zeros_like(p),v=np.zeros_like(p),s=np.zeros_like(p.ravel()[::sp]),p0=p.ravel()[::sp].copy()) for p in P]
    d=d0; dmax=d0; num=0.0; out=[flat(P)]
    for k in range(steps):
        gs=list(grad(*P)); bc=((1-b2**(k+1))**0.5)/(1-b1**(k+1)) if ubc else 1
        dlr=d*lr*bc; num*=b3; dnum=0.0; den=0.0
        for i,(p,s) in enumerate(zip(P,S)):
            g=gs[i]
            if wd and not dec: g=g+wd*p; gs[i]=g
            sgd=g.ravel()[::sp]; dnum+=(d/d0)*dlr*np.dot(sgd,s['p0']-p.ravel()[::sp])
            if b1>0: s['m']=b1*s['m']+d*(1-b1)*g
            s['v']=b2*s['v']+d*d*(1-b2)*g*g
            s['s']=b3*s['s']+((d/d0)*d if sg else (d/d0)*dlr)*sgd
            den+=np.abs(s['s']).sum()
        num=num+dnum; dh=dc*num/den
        if d==d0: d=max(d,dh)
        dmax=max(dmax,dh); d=min(dmax,d*gr)
        for i,(p,s) in enumerate(zip(P,S)):
            dn=np.sqrt(s['v'])+d*eps
            if wd and dec: p+= -wd*dlr*p
            if b1>0: p+= -dlr*s['m']/dn
            else: p+= -dlr*d*gs[i]/dn
        out.append(flat(P))
    return out
def sf_adamw(hp,steps=60):
    lr=hp.get('lr',0.0025); b1,b2=hp.get('betas',(0.9,0.999)); eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0); ws=hp.get('warmup_steps',0); r=hp.get('r',0.0); wlp=hp.get('weight_lr_power',2.0)
    P=[W0.copy(),b0.copy()]; Z=[p.copy() for p in P]; V=[np.zeros_like(p) for p in P]; lmax=-1.0; wsum=0.0
    out=[flat(P)]; ev=[flat(P)]
    for k in range(steps):
        gs=grad(*P); sched=(k+1)/ws if k<ws else 1.0; lrk=lr*sched; lmax=max(lmax,lrk); w=((k+1)**r)*(lmax**wlp); wsum+=w; c=w/wsum
        for p,z,v,g in zip(P,Z,V,gs):
            v*=b2; v+=(1-b2)*g*g; gh=g/(np.sqrt(v/(1-b2**(k+1)))+eps)+wd*p
            p+=c*(z-p); p+=lrk*(b1*(1-c)-1)*gh; z-=lrk*gh
        out.append(flat(P)); ev.append(flat([p+(1-1/b1)*(z-p) for p,z in zip(P,Z)]))
    return out,ev
def lamb(hp,steps=60):
    lr=hp.get('lr',1e-3); bc=hp.get('bias_correction',True); b1,b2=hp.get('betas',(0.9,0.999)); eps=hp.get('eps',1e-6); wd=hp.get('weight_decay',0.01)
    ga=hp.get('grad_averaging',True); mgn=hp.get('max_grad_norm',1.0); tc=hp.get('trust_clip',False); aa=hp.get('always_adapt',False); dd=hp.get('decoupled_decay',False); filt=hp.get('filter_bias_and_bn',True)
    P=[W0.copy(),b0.copy()]; wds=[wd, 0.0 if (filt or wd==0) else wd] if not (filt and wd==0) else [0.0,0.0]
    if filt and wd==0: wds=[0.0,0.0]
    M=[np.zeros_like(p) for p in P]; V=[np.zeros_like(p) for p in P]; out=[flat(P)]
    for t in range(1,steps+1):
        gs=grad(*P)
        if mgn is not None:
            c=max(1.0,np.sqrt(sum((g*g).sum() for g in gs))/mgn); gs=[g/c for g in gs]
        b1c,b2c=(1-b1**t,1-b2**t) if bc else (1.0,1.0)
        for p,m,v,g,w in zip(P,M,V,gs,wds):
            if ga: m+=(1-b1)*(g-m)
            else: m*=b1; m+=g
            v*=b2; v+=(1-b2)*g*g
            u=(m/b1c)/(np.sqrt(v)/np.sqrt(b2c)+eps)
            if w!=0:
                if dd: p-=lr*w*p
                else: u=u+w*p
            if w!=0 or aa:
                pn,un=np.linalg.norm(p),np.linalg.norm(u); r=pn/un if (pn>0 and un>0) else 1.0
                if tc: r=min(r,1.0)
                u=r*u
            p-=lr*u
        out.append(flat(P))
    return out
def lars(hp,steps=60):
    lr=hp.get('lr',1.0); mu=hp.get('momentum',0); dp=hp.get('dampening',0); wd=hp.get('weight_decay',0); nest=hp.get('nesterov',False); tcf=hp.get('trust_coeff',0.001); eps=hp.get('eps',1e-8); tc=hp.get('trust_clip',False); aa=hp.get('always_adapt',False); filt=hp.get('filter_bias_and_bn',True)
    P=[W0.copy(),b0.copy()]; wds=[wd, 0.0 if filt else wd]; B=[None,None]; out=[flat(P)]
    for t in range(steps):
        gs=grad(*P)
        for i,(p,g,w) in enumerate(zip(P,gs,wds)):
            if w!=0 or aa:
                pn,gn=np.linalg.norm(p),np.linalg.norm(g); r=tcf*pn/(gn+w*pn+eps) if (pn>0 and gn>0) else 1.0
                if tc: r=min(r/lr,1.0)
                g=(g+w*p)*r
            if mu!=0:
                B[i]=g.copy() if B[i] is None else mu*B[i]+(1-dp)*g
                g=g+mu*B[i] if nest else B[i]
            p-=lr*g
        out.append(flat(P))
    return out
def adan(hp,steps=60):
    lr=hp.get('lr',1e-3); b1,b2,b3=hp.get('betas',(0.98,0.92,0.99)); eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0.0); mgn=hp.get('max_grad_norm',0.0); np_=hp.get('no_prox',False)
    P=[W0.copy(),b0.copy()]; S=[dict(m=np.zeros_like(p),d=np.zeros_like(p),n=np.zeros_like(p),gp=None) for p in P]; out=[flat(P)]
    for t in range(1,steps+1):
        gs=grad(*P)
        c=min(1.0,mgn/(np.sqrt(sum((g*g).sum() for g in gs))+eps)) if mgn>0 else 1.0
        for p,g,s in zip(P,gs,S):
            g=c*g
            if t==1: s['gp']=g.copy()
            D=g-s['gp']; s['m']=b1*s['m']+(1-b1)*g; s['d']=b2*s['d']+(1-b2)*D; s['n']=b3*s['n']+(1-b3)*(g+b2*D)**2
            den=np.sqrt(s['n'])/np.sqrt(1-b3**t)+eps
            if np_: p*=(1-lr*wd)
            p-= (lr/(1-b1**t))*s['m']/den; p-=(lr*b2/(1-b2**t))*s['d']/den
            if not np_: p/= (1+lr*wd)
            s['gp']=g.copy()
        out.append(flat(P))
    return out
def ademamix(hp,steps=60):
    lr=hp.get('lr',1e-3); b1,b2,b3f=hp.get('betas',(0.9,0.999,0.9999)); af=hp.get('alpha',2.0); b3w=hp.get('beta3_warmup',None); aw=hp.get('alpha_warmup',None); eps=hp.get('eps',1e-8); wd=hp.get('weight_decay',0)
    f=lambda b: np.log(0.5)/np.log(b+1e-8)-1; finv=lambda h: 0.5**(1/(h+1))
    P=[W0.copy(),b0.copy()]; S=[dict(m1=np.zeros_like(p),m2=np.zeros_like(p),v=np.zeros_like(p)) for p in P]; out=[flat(P)]
    for t in range(1,steps+1):
        gs=grad(*P)
        al=(t/aw)*af if (aw is not None and t<aw) else af
        if b3w is not None and t<b3w: a=t/b3w; b3=finv((1-a)*f(b1)+a*f(b3f))
        else: b3=b3f
        for p,g,s in zip(P,gs,S):
            if b1!=0: s['m1']=b1*s['m1']+(1-b1)*g; m1=s['m1']
            else: m1=g
            s['m2']=b3*s['m2']+(1-b3)*g; s['v']=b2*s['v']+(1-b2)*g*g
            u=(m1/(1-b1**t)+al*s['m2'])/(np.sqrt(s['v'])/np.sqrt(1-b2**t)+eps)+wd*p
            p-=lr*u
        out.append(flat(P))
    return out


def parse(hp):
    d = {}
    for w in (hp.split(' ') if hp else []):
        k, v = w.split('=', 1)
        if v in ('true', 'false'):
            v = v == 'true'
        elif v == 'none':
            v = None
        elif ',' in v:
            v = tuple(float(x) for x in v.split(','))
        elif v == 'inf':
            v = float('inf')
        else:
            try:
                v = int(v) if v.lstrip('-').isdigit() else float(v)
            except ValueError:
                pass
        d[k] = v
    return d


FUNCS = dict(shampoo=shampoo, soap=soap, muon=muon, nadamw=nadamw, adafactor=adafactor, prodigy=prodigy,
             sf_adamw=sf_adamw, lamb=lamb, lars=lars, adan=adan, ademamix=ademamix)
for (name, hp), ref in rows.items():
    fn = FUNCS.get(name)
    if not fn:
        continue
    d = parse(hp)
    if name == 'shampoo' and d.get('weight_decay_type') not in (None, 'DECOUPLED', 'L2'):
        continue
    res = fn(d)
    de = 0.0
    if name == 'sf_adamw':
        res, ev = res
        de = max(np.abs(a - b).max() for a, b in zip(erows[(name, hp)], ev))
    print(f"{name:9s} {max(np.abs(a - b).max() for a, b in zip(ref, res)):.1e} e:{de:.1e} {hp}")
