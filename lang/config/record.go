package config

// Item is one configuration variable as the config builtin gives it:
// Value is an int, a string or a bool.
type Item struct {
	Name  string
	Value any
}

// Items returns the variables the config record holds, in the newest
// bpftrace's order (bpftrace 0.24: `config.max_strlen`).
func (s Settings) Items() []Item {
	unstable := func(name string) Item {
		v, ok := s.Unstable[name]
		if !ok {
			v = Default().Unstable[name]
		}
		return Item{name, v}
	}
	return []Item{
		{"cpp_demangle", s.CppDemangle},
		{"lazy_symbolication", s.LazySymbolicate},
		{"print_maps_on_exit", s.PrintMapsOnExit},
		{"use_blazesym", s.UseBlazesym},
		{"show_debug_info", s.ShowDebugInfo},
		{"log_size", s.LogSize},
		{"max_bpf_progs", s.MaxBPFProgs},
		{"max_cat_bytes", s.MaxCatBytes},
		{"max_map_keys", s.MaxMapKeys},
		{"max_probes", s.MaxProbes},
		{"max_strlen", s.MaxStrlen},
		{"on_stack_limit", s.OnStackLimit},
		{"perf_rb_pages", s.PerfRBPages},
		{"str_trunc_trailer", s.StrTruncTrailer},
		unstable("unstable_import_statement"),
		unstable("unstable_tseries"),
		unstable("unstable_typeinfo"),
		unstable("unstable_dw_ustack"),
		{"missing_probes", s.MissingProbes},
		{"stack_mode", s.StackMode},
		{"license", s.License},
	}
}
