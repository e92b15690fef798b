package tfschema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ProjectFile is where this project keeps `terraform providers schema -json`
// of its pinned providers (kubernetes 2.38.0, helm 3.1.1), gzipped, relative
// to the project root. To refresh it after a provider upgrade:
// terraform providers schema -json | gzip -9n > schemas/providers-schema.json.gz
const ProjectFile = "schemas/providers-schema.json.gz"

// Errors are the problems of the stacks of one cdktf.out folder.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d problems against the provider schemas (Terraform would reject them):\n%s", len(es), strings.Join(lines, "\n"))
}

// CheckDir validates every stack of a cdktf.out folder (stacks/*/cdk.tf.json);
// the error, if any, is Errors.
func (s *Schemas) CheckDir(outdir string) error {
	files, err := filepath.Glob(filepath.Join(outdir, "stacks", "*", "cdk.tf.json"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no stacks in %s; synthesize first", outdir)
	}
	var all Errors
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		all = append(all, s.Validate(filepath.Base(filepath.Dir(f)), data)...)
	}
	if len(all) > 0 {
		return all
	}
	return nil
}
