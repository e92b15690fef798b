// Package synthjob is what the synth's coordinator (main.go, multisynth)
// hands the process that runs jsii's kernel (cmd/synth-kernel,
// kernelsynth): which environments to build into which folder. It imports
// nothing of the project, so that neither side links the other's half.
package synthjob

import (
	"encoding/json"
	"fmt"
	"os"
)

// Var holds the job (JSON) in the environment of the kernel process.
const Var = "SYNTH_WORKER_JOB"

// KernelVar names the kernel program the coordinator starts; without it,
// KernelName beside the coordinator's own executable.
const KernelVar = "SYNTH_KERNEL"

// KernelName is the kernel program's file name (.bin/synth-kernel).
const KernelName = "synth-kernel"

// Written is the line the kernel process prints on its standard output
// once cdktf has written the job's folder, before it ends jsii's kernel and
// exits: the coordinator checks the folder meanwhile.
const Written = "synth-kernel: written"

// HCLEnvVar is how the cdktf CLI asks an app for HCL (`cdktf synth --hcl`
// sets it to "true"; "1" works too). cdktf's library, in jsii's kernel,
// would then write HCL instead of the JSON that the checks read: so the
// coordinator takes it out of the kernel process's environment, and the
// kernel refuses to run with it.
const HCLEnvVar = "SYNTH_HCL_OUTPUT"

// Job is one kernel process's share of a synth.
type Job struct {
	// Root is the project root: envs/ and the chart lock.
	Root string `json:"root"`
	// Outdir is a fresh folder that receives cdktf's output.
	Outdir string `json:"outdir"`
	// Environments are built, in order, into one cdktf app.
	Environments []string `json:"environments"`
	// ErrorFile receives the error of a failed synth, which the
	// coordinator reports as its own.
	ErrorFile string `json:"errorFile"`
}

// Encode is the job as Var holds it.
func (j Job) Encode() (string, error) {
	data, err := json.Marshal(j)
	if err != nil {
		return "", fmt.Errorf("synth: %w", err)
	}
	return string(data), nil
}

// FromEnv reads the job of this process from Var.
func FromEnv() (Job, error) {
	spec, ok := os.LookupEnv(Var)
	if !ok {
		return Job{}, fmt.Errorf("synth kernel: %s is not set: this program is started by the synth (.bin/cdktf-llm), not by hand", Var)
	}
	var j Job
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		return Job{}, fmt.Errorf("synth kernel: %s: %w", Var, err)
	}
	return j, nil
}

// HCLRequested reports whether HCLEnvVar asks for HCL.
func HCLRequested() bool {
	v := os.Getenv(HCLEnvVar)
	return v == "true" || v == "1"
}
