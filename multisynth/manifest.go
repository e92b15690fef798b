package multisynth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// manifest is a cdktf manifest.json split around its stack entries, as
// written (json-stable-stringify, two spaces): the text up to the first
// entry, each entry (`"<stack>": {…}`) by stack name, what separates two
// entries, and the text after the last. Joining the entries of several
// synths, sorted by name as cdktf sorts them, gives the manifest one synth
// of all their stacks writes, byte for byte.
type manifest struct {
	head, sep, tail []byte
	entries         map[string][]byte
}

// parseManifest splits a manifest.json; it must have a non-empty "stacks" object.
func parseManifest(data []byte) (manifest, error) {
	m := manifest{entries: map[string][]byte{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return m, errors.New("not a JSON object")
	}
	found := false
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return m, err
		}
		if key != "stacks" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return m, err
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('{') {
			return m, errors.New(`"stacks" is not an object`)
		}
		open := int(dec.InputOffset())
		end := open
		for dec.More() {
			prev := int(dec.InputOffset())
			name, err := dec.Token()
			if err != nil {
				return m, err
			}
			start := prev + bytes.IndexByte(data[prev:], '"')
			var entry json.RawMessage
			if err := dec.Decode(&entry); err != nil {
				return m, err
			}
			if len(m.entries) == 0 {
				m.head = data[:start]
			} else if sep := data[end:start]; m.sep == nil {
				m.sep = sep
			} else if !bytes.Equal(sep, m.sep) {
				return m, errors.New("stack entries are separated unevenly")
			}
			end = int(dec.InputOffset())
			m.entries[name.(string)] = data[start:end]
		}
		if len(m.entries) == 0 {
			return m, errors.New(`"stacks" lists no stack`)
		}
		if m.sep == nil { // one entry: a comma, then the indentation of the first
			m.sep = append([]byte(","), bytes.TrimLeft(data[open:len(m.head)], "{")...)
		}
		m.tail = data[end:]
		found = true
		if _, err := dec.Token(); err != nil { // the closing brace of "stacks"
			return m, err
		}
	}
	if !found {
		return m, errors.New(`no "stacks"`)
	}
	return m, nil
}

// joinManifests writes the manifest of all the parts' entries. Every part
// must have the same text around its entries (cdktf's version, the
// indentation), and no stack may be in two parts.
func joinManifests(parts []manifest) ([]byte, error) {
	if len(parts) == 0 {
		return nil, errors.New("multisynth: no manifest to join")
	}
	first := parts[0]
	all := map[string][]byte{}
	for _, p := range parts {
		if !bytes.Equal(p.head, first.head) || !bytes.Equal(p.tail, first.tail) || !bytes.Equal(p.sep, first.sep) {
			return nil, errors.New("multisynth: the synths' manifests differ in more than their stacks")
		}
		for name, e := range p.entries {
			if _, dup := all[name]; dup {
				return nil, fmt.Errorf("multisynth: stack %s is in two manifests", name)
			}
			all[name] = e
		}
	}
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names) // cdktf sorts by UTF-16 code units: the same for stack names, which are ASCII
	var b bytes.Buffer
	b.Write(first.head)
	for i, n := range names {
		if i > 0 {
			b.Write(first.sep)
		}
		b.Write(all[n])
	}
	b.Write(first.tail)
	return b.Bytes(), nil
}

// only keeps the entries of the given stacks; each must be there.
func (m manifest) only(stacks []string) (manifest, error) {
	out := m
	out.entries = map[string][]byte{}
	for _, s := range stacks {
		e, ok := m.entries[s]
		if !ok {
			return out, fmt.Errorf("multisynth: the manifest lists no stack %s", s)
		}
		out.entries[s] = e
	}
	return out, nil
}
