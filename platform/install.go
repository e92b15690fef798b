package platform

// Install puts dir, a complete output folder, in place of outdir, the way
// Synth does with what it synthesized: with keepOld, the stack folders of
// outdir that dir lacks are moved into dir first (the cdktf CLI prunes them
// itself); then dir replaces outdir in one rename. For a synth assembled
// from several (multisynth).
func Install(dir, outdir string, keepOld bool) error {
	if keepOld {
		if err := keepOldStacks(outdir, dir); err != nil {
			return err
		}
	}
	return swap(dir, outdir)
}
