package tensor

import "flag"

func flagBool(name, usage string) *bool { return flag.Bool(name, false, usage) }
