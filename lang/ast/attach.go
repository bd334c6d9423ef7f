package ast

// SplitAttach splits an attach point at colons, keeping colons inside
// `{...}` groups and quotes, and the C++ "::" of uprobe symbols intact. It
// returns the provider and the parts after it (nil when none).
func SplitAttach(raw string) (provider string, parts []string) {
	depth, last := 0, 0
	quoted := false
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			quoted = !quoted
		case '\\':
			if quoted {
				i++ // an escaped character, perhaps a quote
			}
		case '{':
			depth++
		case '}':
			depth--
		case ':':
			if depth > 0 || quoted {
				continue
			}
			if i+1 < len(raw) && raw[i+1] == ':' && len(parts) >= 2 {
				i++ // C++ scope operator in a symbol name
				continue
			}
			parts = append(parts, raw[last:i])
			last = i + 1
		}
	}
	parts = append(parts, raw[last:])
	if len(parts) == 1 {
		return parts[0], nil
	}
	return parts[0], parts[1:]
}
