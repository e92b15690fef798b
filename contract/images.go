package contract

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"

	"github.com/llm-platform/cdktf-llm/config"
	"github.com/llm-platform/cdktf-llm/render"
)

// Unmaintained are image repositories known to get no more updates, each
// with what to know about it. Keep it short: each entry is a documented fact.
var Unmaintained = map[string]string{
	// Bitnami moved its versioned images here on 2025-08-28 and stopped
	// updating them; new builds are Bitnami Secure Images.
	"docker.io/bitnamilegacy/": "Bitnami's legacy repository, frozen since 2025-08-28 (no security updates)",
}

// checkImages reports images without a tag or digest, tagged latest, or from
// an unmaintained repository that the environment does not accept. It
// returns the accepted ones, for the report.
func checkImages(env config.Environment, r *render.Rendered, report func(Finding)) []string {
	var accepted []string
	seen := map[string]bool{}
	for _, p := range pods(r) {
		for _, c := range containers(p.Template.Spec) {
			if seen[p.Object.ID()+c.Image] {
				continue
			}
			seen[p.Object.ID()+c.Image] = true
			f := Finding{Rule: RuleImages, Object: p.Object.ID()}
			ref, err := reference.ParseNormalizedNamed(c.Image)
			if err != nil {
				f.Problem = fmt.Sprintf("container %s: image %q is not an image reference: %v", c.Name, c.Image, err)
				f.Fix = fmt.Sprintf("set the image in the values that constructs/%s writes", constructPackage(r.Release.ID))
				report(f)
				continue
			}
			tagged, hasTag := ref.(reference.Tagged)
			_, hasDigest := ref.(reference.Digested)
			switch {
			case !hasTag && !hasDigest:
				f.Problem = fmt.Sprintf("container %s: image %q has no tag or digest, so every pull may run other code", c.Name, c.Image)
			case hasTag && tagged.Tag() == "latest" && !hasDigest:
				f.Problem = fmt.Sprintf("container %s: image %q is tagged latest, so every pull may run other code", c.Name, c.Image)
			}
			if f.Problem != "" {
				f.Fix = fmt.Sprintf("pin the image to a version or digest in the values that constructs/%s writes", constructPackage(r.Release.ID))
				report(f)
			}
			repo := ref.Name()
			for prefix, why := range Unmaintained {
				if !strings.HasPrefix(repo+"/", prefix) && !strings.HasPrefix(repo, prefix) {
					continue
				}
				if a, ok := acceptance(env, repo); ok {
					accepted = append(accepted, fmt.Sprintf("%s: %s: %s: %s accepted: %s", r.Release.Stack, r.Release.Address, p.Object.ID(), reference.FamiliarString(ref), a.Reason))
					continue
				}
				report(Finding{
					Rule: RuleImages, Object: p.Object.ID(),
					Problem: fmt.Sprintf("container %s: image %s comes from %s", c.Name, c.Image, why),
					Fix:     fmt.Sprintf("use a maintained image, or accept it knowingly in the config: images.acceptUnmaintained: [{repository: %s, reason: …}]", repo),
				})
			}
		}
	}
	return accepted
}

func acceptance(env config.Environment, repo string) (config.AcceptedImage, bool) {
	for _, a := range env.Images.AcceptUnmaintained {
		if a.Repository == repo {
			return a, true
		}
	}
	return config.AcceptedImage{}, false
}
