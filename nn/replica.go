package nn

// Replica returns a GPT of g's configuration whose parameters share g's
// tensors (a change to one is a change to the other) but own their
// gradients, and whose dropout layers draw from streams of their own
// (salted by salt; their call counters start at g's). Replicas run shards of
// a batch concurrently, each on its own tape; their gradients are then
// summed into g's.
func (g *GPT) Replica(salt uint64) *GPT {
	r, err := NewGPT(g.Config, 0)
	if err != nil { // g was built from this configuration
		panic("nn: Replica: " + err.Error())
	}
	rp, gp := r.Params(), g.Params()
	for i := range rp {
		rp[i].Value.Data = gp[i].Value.Data
	}
	rd, gd := r.Dropouts(), g.Dropouts()
	for i := range rd {
		rd[i].P, rd[i].Calls, rd[i].Training = gd[i].P, gd[i].Calls, gd[i].Training
		rd[i].Seed = gd[i].Seed ^ (salt * 0xbf58476d1ce4e5b9)
	}
	return r
}

// Dropouts returns g's dropout layers in a stable order: embeddings, then
// each block's attention and MLP.
func (g *GPT) Dropouts() []*Dropout {
	ds := []*Dropout{g.Drop}
	for _, b := range g.Blocks {
		ds = append(ds, b.Attn.ResidDrop, b.MLP.Drop)
	}
	return ds
}
