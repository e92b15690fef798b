// Package quotafit predicts what a set of rendered Kubernetes objects (a Helm
// release) charges against a namespace's ResourceQuota at the worst moment of
// an install or rolling update, after the namespace's LimitRange defaults are
// applied, and whether that fits. It runs before apply, so that a release that
// cannot fit fails in seconds with the numbers instead of waiting out its Helm
// timeout while the ReplicaSet controller retries "exceeded quota".
//
// The model follows the API server step by step for every pod a workload
// creates:
//
//  1. API defaulting: a container with a limit and no request gets
//     request = limit.
//  2. LimitRanger admission: every LimitRange item of type Container fills the
//     limits a container lacks from default and the requests it lacks from
//     defaultRequest. The LimitRange object is defaulted first as the API
//     server does: default falls back to max, defaultRequest to default and
//     then to min.
//  3. Pod validation and LimitRanger validation: a request above its limit,
//     an extended resource whose request is not equal to its limit, and
//     LimitRange min, max and maxLimitRequestRatio violations are Problems.
//  4. ResourceQuota admission: the pod is charged its effective requests and
//     limits (init containers, sidecars and overhead included). If the quota
//     tracks cpu or memory requests or limits, a container that still has no
//     value for them is rejected.
//
// Worst moment means every pod-producing object at its peak pod count at the
// same time: replicas plus rolling-update surge for Deployments (and
// DaemonSets with maxSurge), parallelism for Jobs, one Job for CronJobs. That
// over-counts when hooks run at different phases, and it charges old and new
// pods the new template's resources. PersistentVolumeClaims are counted from
// PVC objects, StatefulSet volumeClaimTemplates (one per replica) and generic
// ephemeral volumes (one per pod).
//
// Not modelled: usage that already exists in the namespace (subtract it from
// the quota's hard values before calling Fit, or compare with status.used
// yourself), object-count quotas (count/*, services, secrets, configmaps),
// a DaemonSet's node count (it is counted as one pod), HorizontalPodAutoscaler
// scale-up, CronJob runs overlapping under concurrencyPolicy Allow, priority
// classes or storage classes the API server assigns by default, and LimitRange
// defaulting of pod-level resources (spec.resources).
package quotafit
