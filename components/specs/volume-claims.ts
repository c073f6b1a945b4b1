/**
 * A StatefulSet's volumes as claims of their own, so that a larger size grows them in place.
 *
 * `volumeClaimTemplates` are immutable in the API, the Kubernetes provider replaces a StatefulSet when
 * they change (`spec.volumeClaimTemplates` is in its replace-only list, provider/pkg/provider/diff.go
 * of pulumi-kubernetes v4.25.0), and a StatefulSet never resizes the claims it made. So every claim
 * the StatefulSet controller would make is declared as a PersistentVolumeClaim of its own, named the
 * way the controller names it (`<template>-<statefulset>-<ordinal>`): the controller finds it and uses
 * it, a size increase is an in-place update of the claim, and the StatefulSet ignores template edits.
 */
import type * as k8s from "@pulumi/kubernetes";

type StatefulSet = k8s.types.input.apps.v1.StatefulSet;
type Claim = k8s.types.input.core.v1.PersistentVolumeClaim;

/**
 * Claims made before botfleet declared them belong to kube-controller-manager; growing one must take
 * the size field over instead of failing on a server-side apply conflict.
 */
export const PATCH_FORCE_ANNOTATION = "pulumi.com/patchForce";

/** `<template>-<statefulset>-<ordinal>`: the name the StatefulSet controller gives a claim. */
export function statefulSetClaimName(template: string, statefulSet: string, ordinal: number): string {
  return `${template}-${statefulSet}-${ordinal}`;
}

/**
 * The claims of ordinals `0 .. ordinals-1` of a StatefulSet built by one of our pure builders (plain
 * values: name, namespace and templates are strings). Each claim has its template's labels and spec.
 * @throws Error when the StatefulSet has no plain name/namespace or a template has no name.
 */
export function statefulSetClaims(sts: StatefulSet, ordinals: number): Claim[] {
  const meta = sts.metadata as { name?: unknown; namespace?: unknown } | undefined;
  const name = meta?.name;
  const namespace = meta?.namespace;
  if (typeof name !== "string" || typeof namespace !== "string")
    throw new Error("statefulSetClaims: the StatefulSet needs a plain metadata.name and namespace");
  const templates = ((sts.spec as { volumeClaimTemplates?: unknown } | undefined)?.volumeClaimTemplates ??
    []) as { metadata?: { name?: unknown; labels?: unknown }; spec?: unknown }[];
  return templates.flatMap((t) => {
    const template = t.metadata?.name;
    if (typeof template !== "string")
      throw new Error(`statefulSetClaims: a claim template of StatefulSet ${name} has no name`);
    return Array.from({ length: ordinals }, (_, ordinal) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: statefulSetClaimName(template, name, ordinal),
        namespace,
        ...(t.metadata?.labels === undefined ? {} : { labels: t.metadata.labels as Record<string, string> }),
        annotations: { [PATCH_FORCE_ANNOTATION]: "true" },
      },
      spec: t.spec as Claim["spec"],
    }));
  });
}
