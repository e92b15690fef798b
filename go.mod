module github.com/llm-platform/cdktf-llm

go 1.26

require (
	github.com/Masterminds/semver/v3 v3.4.0
	go.yaml.in/yaml/v3 v3.0.4
	k8s.io/apimachinery v0.34.2
)

require (
	github.com/agext/levenshtein v1.2.1 // indirect
	github.com/apparentlymart/go-textseg/v15 v15.0.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.4.2 // indirect
	github.com/aws/jsii-runtime-go v1.119.0 // indirect
	github.com/cdktf/cdktf-provider-helm-go/helm/v12 v12.1.2 // indirect
	github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12 v12.1.1 // indirect
	github.com/fatih/color v1.18.0 // indirect
	github.com/fxamacker/cbor/v2 v2.9.0 // indirect
	github.com/go-logr/logr v1.4.2 // indirect
	github.com/gogo/protobuf v1.3.2 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/hashicorp/go-version v1.9.0 // indirect
	github.com/hashicorp/hcl/v2 v2.23.0 // indirect
	github.com/hashicorp/terraform-cdk-go/cdktf v0.21.0 // indirect
	github.com/hashicorp/terraform-json v0.29.0 // indirect
	github.com/mattn/go-colorable v0.1.13 // indirect
	github.com/mattn/go-isatty v0.0.20 // indirect
	github.com/mitchellh/go-wordwrap v0.0.0-20150314170334-ad45545899c7 // indirect
	github.com/x448/float16 v0.8.4 // indirect
	github.com/yuin/goldmark v1.4.13 // indirect
	github.com/zclconf/go-cty v1.16.4 // indirect
	go.yaml.in/yaml/v2 v2.4.2 // indirect
	golang.org/x/lint v0.0.0-20210508222113-6edffad5e616 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.35.0 // indirect
	golang.org/x/text v0.23.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
	gopkg.in/inf.v0 v0.9.1 // indirect
	k8s.io/klog/v2 v2.130.1 // indirect
	k8s.io/utils v0.0.0-20250604170112-4c0f3b243397 // indirect
	sigs.k8s.io/json v0.0.0-20241014173422-cfa47c3a1cc8 // indirect
	sigs.k8s.io/yaml v1.6.0 // indirect
)

// The provider bindings are generated from their npm releases by
// tools/bindings (the Go proxy does not serve them); see README "Bindings".
replace (
	github.com/cdktf/cdktf-provider-helm-go/helm/v12 => ./.gen/helm
	github.com/cdktf/cdktf-provider-kubernetes-go/kubernetes/v12 => ./.gen/kubernetes
)
