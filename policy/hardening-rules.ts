/** The checklist (docs/hardening.md) as per-resource rules; item numbers cite it. */
import {
  K,
  arr,
  containersOf,
  isBatch,
  isHpa,
  isObj,
  isPinnedImage,
  isTrader,
  isWorkload,
  label,
  labelsOf,
  looksLikeSecretName,
  metadata,
  num,
  obj,
  perContainer,
  podTemplate,
  show,
  str,
} from "./shapes";
import { PRIVATE_AND_METADATA_CIDRS, selects } from "./network";
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

export const hardeningRules: readonly ResourceRule[] = [
  {
    name: "pod-run-as-non-root",
    description: "Pods run as a numeric non-root user with runAsNonRoot (hardening 3).",
    check: (r) =>
      perContainer(r, (v, pod) => {
        const psc = obj(pod.securityContext);
        const csc = obj(v.c.securityContext);
        const nonRoot = csc.runAsNonRoot ?? psc.runAsNonRoot;
        const uid = num(csc.runAsUser) ?? num(psc.runAsUser);
        const out: string[] = [];
        if (nonRoot !== true) out.push(`${label(v)}: runAsNonRoot must be true, got ${show(nonRoot)}`);
        if (uid === undefined || uid === 0)
          out.push(`${label(v)}: runAsUser must be a numeric non-zero uid, got ${show(uid)}`);
        return out;
      }),
  },
  {
    name: "no-privilege-escalation",
    description:
      "Every container sets allowPrivilegeEscalation: false and is not privileged (hardening 2, 6).",
    check: (r) =>
      perContainer(r, (v) => {
        const sc = obj(v.c.securityContext);
        const out: string[] = [];
        if (sc.allowPrivilegeEscalation !== false)
          out.push(
            `${label(v)}: allowPrivilegeEscalation must be false, got ${show(sc.allowPrivilegeEscalation)}`,
          );
        if (sc.privileged === true) out.push(`${label(v)}: privileged must not be true`);
        return out;
      }),
  },
  {
    name: "drop-all-capabilities",
    description: "Every container drops ALL capabilities and adds at most NET_BIND_SERVICE (hardening 5).",
    check: (r) =>
      perContainer(r, (v) => {
        const caps = obj(obj(v.c.securityContext).capabilities);
        const drop = arr(caps.drop);
        const extra = arr(caps.add).filter((c) => c !== "NET_BIND_SERVICE");
        const out: string[] = [];
        if (!drop.includes("ALL"))
          out.push(`${label(v)}: capabilities.drop must include "ALL", got ${show(caps.drop)}`);
        if (extra.length > 0) out.push(`${label(v)}: only NET_BIND_SERVICE may be added, got ${show(extra)}`);
        return out;
      }),
  },
  {
    name: "seccomp-runtime-default",
    description:
      "Every container runs under the RuntimeDefault (or a Localhost) seccomp profile (hardening 4).",
    check: (r) =>
      perContainer(r, (v, pod) => {
        const type =
          str(obj(obj(v.c.securityContext).seccompProfile).type) ??
          str(obj(obj(pod.securityContext).seccompProfile).type);
        return type === "RuntimeDefault" || type === "Localhost"
          ? []
          : [`${label(v)}: seccompProfile.type must be RuntimeDefault, got ${show(type)}`];
      }),
  },
  {
    name: "read-only-root-filesystem",
    description:
      "Every container has a read-only root filesystem; writable paths are emptyDir or PVC (hardening 8).",
    check: (r) =>
      perContainer(r, (v) => {
        const ro = obj(v.c.securityContext).readOnlyRootFilesystem;
        return ro === true ? [] : [`${label(v)}: readOnlyRootFilesystem must be true, got ${show(ro)}`];
      }),
  },
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
  {
    name: "resources-requests-limits",
    description: "Every container requests cpu and memory and limits memory (hardening 9).",
    check: (r) =>
      perContainer(r, (v) => {
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
      }),
  },
  {
    name: "pinned-images",
    description: "Images are pinned to a version tag or a digest, never latest or untagged (hardening 10).",
    check: (r) =>
      perContainer(r, (v) => {
        const image = v.c.image;
        // An unknown image (undefined during preview) is not a finding; a missing one is caught by the API server.
        if (image === undefined) return [];
        return typeof image === "string" && isPinnedImage(image)
          ? []
          : [
              `${label(v)}: image must be pinned to a tag other than latest or a sha256 digest, got ${show(image)}`,
            ];
      }),
  },
  {
    name: "no-literal-secret-env",
    description:
      "No secret-like env var carries a literal value; use secretKeyRef or a mounted file (hardening 30).",
    check: (r) =>
      perContainer(r, (v) =>
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
  },
  {
    name: "no-secrets-in-configmaps",
    description: "ConfigMaps carry no secret-like keys (hardening 30).",
    check: (r) => {
      if (r.type !== K.configMap) return [];
      const keys = [...Object.keys(obj(r.props.data)), ...Object.keys(obj(r.props.binaryData))];
      return keys
        .filter(looksLikeSecretName)
        .map((k) => `ConfigMap key "${k}" looks like a secret; put it in a Secret`);
    },
  },
  {
    name: "no-service-account-token",
    description: "Pods and ServiceAccounts set automountServiceAccountToken: false (hardening 29).",
    check: (r) => {
      if (r.type === K.serviceAccount)
        return r.props.automountServiceAccountToken === false
          ? []
          : [
              `ServiceAccount: automountServiceAccountToken must be false, got ${show(r.props.automountServiceAccountToken)}`,
            ];
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      return pod.spec.automountServiceAccountToken === false
        ? []
        : [
            `pod: automountServiceAccountToken must be false, got ${show(pod.spec.automountServiceAccountToken)}`,
          ];
    },
  },
  {
    name: "probes",
    description:
      "Long-running containers have readiness and liveness probes that differ and target declared ports; Jobs are exempt (hardening 11).",
    check: (r) => {
      if (isBatch(r)) return [];
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      return containersOf(pod.spec)
        .filter((v) => v.kind === "container")
        .flatMap((v) => {
          const out: string[] = [];
          const readiness = v.c.readinessProbe;
          const liveness = v.c.livenessProbe;
          if (!isObj(readiness)) out.push(`${label(v)}: readinessProbe is required`);
          if (!isObj(liveness)) out.push(`${label(v)}: livenessProbe is required`);
          if (isObj(readiness) && isObj(liveness) && JSON.stringify(readiness) === JSON.stringify(liveness))
            out.push(
              `${label(v)}: readinessProbe and livenessProbe must differ (a failing liveness restarts the pod)`,
            );
          const ports = arr(v.c.ports).map(obj);
          const names = new Set<unknown>(ports.map((p) => p.name).filter((n) => typeof n === "string"));
          const numbers = new Set<unknown>(
            ports.map((p) => p.containerPort).filter((n) => typeof n === "number"),
          );
          for (const [kind, probe] of [
            ["readinessProbe", readiness],
            ["livenessProbe", liveness],
            ["startupProbe", v.c.startupProbe],
          ] as const) {
            const handler = obj(probe);
            const port = obj(handler.httpGet).port ?? obj(handler.tcpSocket).port ?? obj(handler.grpc).port;
            if (port === undefined) continue;
            const declared = typeof port === "number" ? numbers.has(port) : names.has(port);
            if (!declared)
              out.push(
                `${label(v)}: ${kind} targets port ${show(port)}, which the container does not declare`,
              );
          }
          return out;
        });
    },
  },
  {
    name: "no-unannotated-load-balancer",
    description:
      'A Service of type LoadBalancer needs the annotation botfleet.io/allow-load-balancer: "true".',
    check: (r) => {
      if (r.type !== K.service || obj(r.props.spec).type !== "LoadBalancer") return [];
      const allowed = labelsOf(metadata(r).annotations)["botfleet.io/allow-load-balancer"] === "true";
      return allowed
        ? []
        : ['Service type LoadBalancer requires annotation botfleet.io/allow-load-balancer: "true"'];
    },
  },
  {
    name: "trader-is-statefulset-singleton",
    description:
      "Trader workloads are never a Deployment/ReplicaSet/DaemonSet; a trader StatefulSet has replicas 1.",
    check: (r) => {
      if (!isWorkload(r) || !isTrader(r)) return [];
      if (r.type === K.deployment || r.type === K.replicaSet || r.type === K.daemonSet)
        return [`trader workloads must be a StatefulSet with replicas 1, got ${r.type.split(":").pop()}`];
      if (r.type === K.statefulSet) {
        const replicas = obj(r.props.spec).replicas;
        if (replicas !== undefined && replicas !== 1)
          return [
            `trader StatefulSet must have replicas 1 (duplicate orders otherwise), got ${show(replicas)}`,
          ];
      }
      return [];
    },
  },
  {
    name: "hpa-sane",
    description:
      "HPAs are autoscaling/v2 with minReplicas >= 2, maxReplicas > minReplicas and a scale-down stabilization window (hardening 15).",
    check: (r) => {
      if (!isHpa(r.type)) return [];
      if (r.type !== K.hpaV2) return [`HorizontalPodAutoscaler must be autoscaling/v2, got ${r.type}`];
      const spec = obj(r.props.spec);
      const min = num(spec.minReplicas) ?? 1;
      const max = num(spec.maxReplicas);
      const out: string[] = [];
      if (min < 2) out.push(`minReplicas must be >= 2, got ${min}`);
      if (max === undefined || max <= min)
        out.push(`maxReplicas must be > minReplicas (${min}), got ${show(max)}`);
      const window = num(obj(obj(spec.behavior).scaleDown).stabilizationWindowSeconds);
      if (window === undefined || window <= 0)
        out.push(`behavior.scaleDown.stabilizationWindowSeconds must be > 0, got ${show(window)}`);
      return out;
    },
  },
  {
    name: "pdb-sane",
    description:
      "PDBs allow at least one disruption and use unhealthyPodEvictionPolicy: AlwaysAllow (hardening 17).",
    check: (r) => {
      if (r.type !== K.pdb) return [];
      const spec = obj(r.props.spec);
      const out: string[] = [];
      if (spec.unhealthyPodEvictionPolicy !== "AlwaysAllow")
        out.push(
          `unhealthyPodEvictionPolicy must be AlwaysAllow, got ${show(spec.unhealthyPodEvictionPolicy)}`,
        );
      if (spec.maxUnavailable !== undefined && (spec.maxUnavailable === 0 || spec.maxUnavailable === "0%"))
        out.push(`maxUnavailable must allow a disruption, got ${show(spec.maxUnavailable)}`);
      if (spec.minAvailable === "100%") out.push(`minAvailable "100%" blocks every disruption`);
      if (spec.minAvailable === undefined && spec.maxUnavailable === undefined)
        out.push("one of minAvailable or maxUnavailable must be set");
      return out;
    },
  },
  {
    name: "no-node-port",
    description: "No Service of type NodePort: it opens a port on every node (hardening 6).",
    check: (r) =>
      r.type === K.service && obj(r.props.spec).type === "NodePort"
        ? ["Service type NodePort is not allowed: it opens the port on every node"]
        : [],
  },
  {
    name: "statefulset-claims-retained",
    description:
      "StatefulSet claims request a size and are retained when the set is deleted or scaled (hardening 20).",
    check: (r) => {
      if (r.type !== K.statefulSet) return [];
      const spec = obj(r.props.spec);
      const claims = arr(spec.volumeClaimTemplates).map(obj);
      const out = claims
        .filter((c) => !obj(obj(obj(c.spec).resources).requests).storage)
        .map((c) => `volumeClaimTemplate "${str(obj(c.metadata).name) ?? "?"}" must request a storage size`);
      const policy = obj(spec.persistentVolumeClaimRetentionPolicy);
      if (claims.length > 0 && (policy.whenDeleted !== "Retain" || policy.whenScaled !== "Retain"))
        out.push(
          `persistentVolumeClaimRetentionPolicy must be Retain/Retain, got ${show(spec.persistentVolumeClaimRetentionPolicy)}`,
        );
      return out;
    },
  },
  {
    name: "cronjob-never-overlaps",
    description:
      "CronJobs forbid concurrent runs, set a starting deadline, restart only OnFailure or Never and keep no TTL in the job template (hardening 24).",
    check: (r) => {
      if (r.type !== K.cronJob) return [];
      const spec = obj(r.props.spec);
      const job = obj(obj(spec.jobTemplate).spec);
      const restart = obj(obj(job.template).spec).restartPolicy;
      const out: string[] = [];
      if (spec.concurrencyPolicy !== "Forbid")
        out.push(
          `concurrencyPolicy must be Forbid (a second run trades twice), got ${show(spec.concurrencyPolicy)}`,
        );
      if (spec.startingDeadlineSeconds === undefined) out.push("startingDeadlineSeconds must be set");
      if (job.ttlSecondsAfterFinished !== undefined)
        out.push(
          `jobTemplate must not set ttlSecondsAfterFinished, got ${show(job.ttlSecondsAfterFinished)}`,
        );
      if (restart !== "OnFailure" && restart !== "Never")
        out.push(`restartPolicy must be OnFailure or Never, got ${show(restart)}`);
      return out;
    },
  },
  {
    name: "selector-matches-template",
    description: "A workload's selector matches its own pod template's labels (hardening 14).",
    check: (r) => {
      if (!isWorkload(r) || r.type === K.pod || r.type === K.cronJob) return [];
      const selector = obj(r.props.spec).selector;
      // Jobs may leave it to the API server; an unknown selector during preview cannot be checked.
      if (!isObj(selector)) return [];
      const labels = podTemplate(r)?.labels ?? {};
      return selects(selector, labels)
        ? []
        : [`selector ${show(selector)} does not match the pod template's labels ${show(labels)}`];
    },
  },
  {
    name: "egress-rules-scoped",
    description:
      "No NetworkPolicy egress rule allows everything (no peers and no ports); DNS goes to named peers only (hardening 25, 26).",
    check: (r) => {
      if (r.type !== K.networkPolicy) return [];
      const out: string[] = [];
      arr(obj(r.props.spec).egress).forEach((rule, i) => {
        const to = arr(obj(rule).to);
        const ports = arr(obj(rule).ports).map(obj);
        if (to.length === 0 && ports.length === 0)
          out.push(`egress[${i}] has no peers and no ports: it allows everything`);
        if (ports.some((p) => Number(p.port) === 53) && to.length === 0)
          out.push(`egress[${i}] allows DNS to anywhere; send it to kube-dns only`);
      });
      return out;
    },
  },
  {
    name: "internet-egress-excepts-private",
    description:
      "Egress to 0.0.0.0/0 excepts the private, link-local and cloud metadata ranges (hardening 27).",
    check: (r) => {
      if (r.type !== K.networkPolicy) return [];
      const out: string[] = [];
      arr(obj(r.props.spec).egress).forEach((rule, i) => {
        for (const peer of arr(obj(rule).to)) {
          const block = obj(obj(peer).ipBlock);
          if (block.cidr !== "0.0.0.0/0") continue;
          const except = arr(block.except);
          const missing = PRIVATE_AND_METADATA_CIDRS.filter((c) => !except.includes(c));
          if (missing.length > 0) out.push(`egress[${i}] to 0.0.0.0/0 must except ${missing.join(", ")}`);
        }
      });
      return out;
    },
  },
  {
    name: "rbac-least-privilege",
    description:
      "Roles use no wildcards and never read Secrets or exec/attach; nothing is bound to cluster-admin (hardening 29).",
    check: (r) => {
      if (r.type === K.clusterRoleBinding)
        return obj(r.props.roleRef).name === "cluster-admin" ? ["must never bind cluster-admin"] : [];
      if (r.type !== K.role && r.type !== K.clusterRole) return [];
      return arr(r.props.rules).flatMap((rule) => {
        const x = obj(rule);
        const resources = arr(x.resources);
        const out: string[] = [];
        if ([...arr(x.verbs), ...resources, ...arr(x.apiGroups)].includes("*"))
          out.push(`rule ${show(rule)} uses a wildcard`);
        if (resources.some((res) => res === "secrets" || res === "pods/exec" || res === "pods/attach"))
          out.push(`rule ${show(rule)} reads Secrets or execs/attaches into pods`);
        return out;
      });
    },
  },
  {
    name: "redis-cli-password-from-env",
    description:
      "redis-cli takes its password from REDISCLI_AUTH, never -a on the command line (hardening 12).",
    check: (r) =>
      perContainer(r, (v) => {
        const c = v.c;
        const text = JSON.stringify([c.readinessProbe, c.livenessProbe, c.startupProbe, c.command, c.args]);
        return /redis-cli/.test(text) && /"-a"/.test(text)
          ? [`${label(v)}: redis-cli must read the password from REDISCLI_AUTH, not -a (it shows in ps)`]
          : [];
      }),
  },
];
