package train

import (
	"github.com/tapegrad/tapegrad/data"
	"github.com/tapegrad/tapegrad/nn"
	"github.com/tapegrad/tapegrad/tokenizer"
)

// NewFromModel returns a trainer that trains model (not a copy) with cfg's
// recipe on the given splits, from step 0 with a fresh optimizer: how a
// pruned or distilled model is fine-tuned. cfg.Model is replaced by the
// model's own configuration, so per-layer sizes travel into checkpoints.
func NewFromModel(cfg Config, model *nn.GPT, tok tokenizer.Tokenizer, trainIDs, valIDs data.Source) (*Trainer, error) {
	cfg.Model = model.Config
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newTrainer(cfg, model, tok, trainIDs, valIDs)
}
