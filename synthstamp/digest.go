package synthstamp

import (
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// globalDigest fingerprints what every environment's output depends on.
func globalDigest(c Config) (string, error) {
	h := sha256.New()
	part := func(name, value string) { fmt.Fprintf(h, "%s=%d:%s\n", name, len(value), value) }
	part("format", format)
	id, err := ExecutableID(c.Executable)
	if err != nil {
		return "", err
	}
	part("executable", id)
	if c.Kernel != "" {
		id, err := ExecutableID(c.Kernel)
		if err != nil {
			return "", err
		}
		part("kernel", id)
	}
	files := []string{c.Schemas}
	for _, l := range Locks {
		files = append(files, filepath.Join(c.Root, l))
	}
	sums, err := fileDigests(files)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("synthstamp: %w", err)
	}
	if sums[0] == "" {
		return "", fmt.Errorf("synthstamp: the schema file %s: %w", c.Schemas, os.ErrNotExist)
	}
	part("schemas", sums[0])
	for i, l := range Locks {
		part("lock "+l, sums[i+1]) // "" when the project has none
	}
	part("hcl", fmt.Sprint(c.HCL))
	var vars []string
	for _, kv := range c.Environ {
		if strings.HasPrefix(kv, "CDKTF_") && !strings.HasPrefix(kv, "CDKTF_OUTDIR=") {
			vars = append(vars, kv)
		}
	}
	sort.Strings(vars)
	for _, kv := range vars {
		part("env", kv)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ExecutableID identifies a program's code: the Go build ID of an ELF
// executable (the go command derives it from every input of the build:
// sources, embedded files, modules, flags), else the sha256 of the file.
func ExecutableID(file string) (string, error) {
	if file == "" {
		return "", errors.New("synthstamp: no executable named")
	}
	if id := goBuildID(file); id != "" {
		return "go build ID " + id, nil
	}
	sums, err := fileDigests([]string{file})
	if err != nil {
		return "", fmt.Errorf("synthstamp: the executable: %w", err)
	}
	return "sha256 " + sums[0], nil
}

// goBuildID reads the Go build ID note of an ELF file: "" when there is none.
func goBuildID(file string) string {
	f, err := elf.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := f.Section(".note.go.buildid")
	if s == nil {
		return ""
	}
	note, err := s.Data()
	if err != nil || len(note) < 16 {
		return ""
	}
	// namesz, descsz and type, then the name "Go\x00\x00" and the ID.
	order := f.ByteOrder
	namesz, descsz, typ := int(order.Uint32(note)), int(order.Uint32(note[4:])), order.Uint32(note[8:])
	desc := 12 + (namesz+3)&^3
	if typ != goBuildIDNote || namesz != 4 || string(note[12:16]) != "Go\x00\x00" || desc+descsz > len(note) {
		return ""
	}
	return string(note[desc : desc+descsz])
}

// goBuildIDNote is the type of the ELF note where Go's linker puts the
// build ID.
const goBuildIDNote = 4

// fileDigests returns the hex sha256 of each file, reading them in
// parallel; a file that does not exist has "" and, if any is missing, the
// error is os.ErrNotExist (wrapped) after all others were read.
func fileDigests(files []string) ([]string, error) {
	sums := make([]string, len(files))
	errs := make([]error, len(files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(len(files), runtime.NumCPU()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				sums[i], errs[i] = fileDigest(files[i])
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	var missing error
	for i, err := range errs {
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = err
		case err != nil:
			return nil, fmt.Errorf("%s: %w", files[i], err)
		}
	}
	return sums, missing
}

func fileDigest(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
