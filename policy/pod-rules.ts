/** The checklist (docs/hardening.md) for every container and pod spec; item numbers cite it. */
import {
  arr,
  containersOf,
  isDigestImage,
  isPinnedImage,
  label,
  looksLikeSecretName,
  num,
  containerRule,
  obj,
  perContainer,
  podTemplate,
  show,
  str,
} from "./shapes";
import type { ResourceRule } from "./types";

// ---------------------------------------------------------------- resource rules

const ALLOWED_VOLUME_KEYS = new Set([
  "name",
  "configMap",
  "secret",
  "emptyDir",
  "projected",
  "downwardAPI",
  "persistentVolumeClaim",
  "ephemeral",
  "csi",
]);

/** What every container and pod spec must hold, whatever the workload. */
export const podRules: readonly ResourceRule[] = [
  containerRule(
    "pod-run-as-non-root",
    "Pods run as a numeric non-root user with runAsNonRoot (hardening 3).",
    (v, pod) => {
      const psc = obj(pod.securityContext);
      const csc = obj(v.c.securityContext);
      const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
      const uid = num(csc.runAsUser) ?? num(psc.runAsUser);
      const out: string[] = [];
      if (nonRoot !== true) out.push(`${label(v)}: runAsNonRoot must be true, got ${show(nonRoot)}`);
      if (uid === undefined || uid === 0)
        out.push(`${label(v)}: runAsUser must be a numeric non-zero uid, got ${show(uid)}`);
      return out;
    },
  ),
  containerRule(
    "no-privilege-escalation",
    "Every container sets allowPrivilegeEscalation: false and is not privileged (hardening 2, 6).",
    (v) => {
      const sc = obj(v.c.securityContext);
      const out: string[] = [];
      if (sc.allowPrivilegeEscalation !== false)
        out.push(
          `${label(v)}: allowPrivilegeEscalation must be false, got ${show(sc.allowPrivilegeEscalation)}`,
        );
      if (sc.privileged === true) out.push(`${label(v)}: privileged must not be true`);
      return out;
    },
  ),
  containerRule(
    "drop-all-capabilities",
    "Every container drops ALL capabilities and adds at most NET_BIND_SERVICE (hardening 5).",
    (v) => {
      const caps = obj(obj(v.c.securityContext).capabilities);
      const drop = arr(caps.drop);
      const extra = arr(caps.add).filter((c) => c !== "NET_BIND_SERVICE");
      const out: string[] = [];
      if (!drop.includes("ALL"))
        out.push(`${label(v)}: capabilities.drop must include "ALL", got ${show(caps.drop)}`);
      if (extra.length > 0) out.push(`${label(v)}: only NET_BIND_SERVICE may be added, got ${show(extra)}`);
      return out;
    },
  ),
  {
    name: "seccomp-runtime-default",
    description:
      "The pod sets the RuntimeDefault seccomp profile and every container runs under it (or a Localhost profile) (hardening 4).",
    check: (r) => {
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      // On the pod too: a container added later without its own profile still gets the default.
      const podType = str(obj(obj(pod.spec.securityContext).seccompProfile).type);
      const out =
        podType === "RuntimeDefault"
          ? []
          : [`pod: securityContext.seccompProfile.type must be RuntimeDefault, got ${show(podType)}`];
      return [
        ...out,
        ...perContainer(r, (v) => {
          const type = str(obj(obj(v.c.securityContext).seccompProfile).type) ?? podType;
          return type === "RuntimeDefault" || type === "Localhost"
            ? []
            : [`${label(v)}: seccompProfile.type must be RuntimeDefault, got ${show(type)}`];
        }),
      ];
    },
  },
  containerRule(
    "read-only-root-filesystem",
    "Every container has a read-only root filesystem; writable paths are emptyDir or PVC (hardening 8).",
    (v) => {
      const ro = obj(v.c.securityContext).readOnlyRootFilesystem;
      return ro === true ? [] : [`${label(v)}: readOnlyRootFilesystem must be true, got ${show(ro)}`];
    },
  ),
  {
    name: "host-access-and-volumes",
    description: "No host namespaces, hostPort or hostPath; only restricted volume types (hardening 6, 7).",
    check: (r) => {
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      const out: string[] = [];
      for (const key of ["hostNetwork", "hostPID", "hostIPC"] as const)
        if (pod.spec[key] === true) out.push(`pod: ${key} must not be true`);
      for (const vol of arr(pod.spec.volumes)) {
        const bad = Object.keys(obj(vol)).filter((k) => !ALLOWED_VOLUME_KEYS.has(k));
        if (bad.length > 0)
          out.push(`volume "${str(obj(vol).name) ?? "?"}": type ${bad.join(", ")} is not allowed`);
      }
      for (const v of containersOf(pod.spec))
        for (const port of arr(v.c.ports))
          if (obj(port).hostPort !== undefined)
            out.push(`${label(v)}: hostPort must not be set, got ${show(obj(port).hostPort)}`);
      return out;
    },
  },
  containerRule(
    "resources-requests-limits",
    "Every container requests cpu and memory and limits memory (hardening 9).",
    (v) => {
      if (v.kind === "ephemeralContainer") return [];
      const res = obj(v.c.resources);
      const req = obj(res.requests);
      const lim = obj(res.limits);
      const missing = [
        req.cpu === undefined ? "requests.cpu" : undefined,
        req.memory === undefined ? "requests.memory" : undefined,
        lim.memory === undefined ? "limits.memory" : undefined,
      ].filter((m): m is string => m !== undefined);
      return missing.length === 0 ? [] : [`${label(v)}: resources must set ${missing.join(", ")}`];
    },
  ),
  containerRule(
    "pinned-images",
    "Images are pinned to a version tag or a digest, never latest or untagged (hardening 10).",
    (v) => {
      const image = v.c.image;
      // An unknown image (undefined during preview) is not a finding; a missing one is caught by the API server.
      if (image === undefined) return [];
      return typeof image === "string" && isPinnedImage(image)
        ? []
        : [
            `${label(v)}: image must be pinned to a tag other than latest or a sha256 digest, got ${show(image)}`,
          ];
    },
  ),
  {
    name: "prod-images-by-digest",
    description:
      "In prod every image is pinned by its sha256 digest (`<repo>:<tag>@sha256:<64 hex>`): a tag can be " +
      "moved to other content, and a replaced node pulls again (hardening 10).",
    check: (r, ctx) =>
      ctx.environment !== "prod"
        ? []
        : perContainer(r, (v) => {
            const image = v.c.image;
            if (image === undefined) return [];
            return typeof image === "string" && isDigestImage(image)
              ? []
              : [
                  `${label(v)}: prod runs images pinned by digest only (<repo>:<tag>@sha256:<64 hex>), got ${show(image)}; ` +
                    `promotion pins them (scripts/promote.ts, README "Prod images")`,
                ];
          }),
  },
  containerRule(
    "no-literal-secret-env",
    "No secret-like env var carries a literal value; use secretKeyRef or a mounted file (hardening 30).",
    (v) =>
      arr(v.c.env)
        .map(obj)
        .filter(
          (e) =>
            typeof e.name === "string" &&
            looksLikeSecretName(e.name) &&
            typeof e.value === "string" &&
            e.value !== "",
        )
        .map(
          (e) =>
            `${label(v)}: env ${str(e.name)} has a literal value; use valueFrom.secretKeyRef or a secret file`,
        ),
  ),
];
