/** The checklist (docs/hardening.md) over whole objects; item numbers cite it. */
import {
  K,
  arr,
  containerRule,
  containersOf,
  isBatch,
  isHpa,
  isLiveTraderPdb,
  isObj,
  isTrader,
  isWorkload,
  label,
  labelsOf,
  looksLikeSecretName,
  metadata,
  num,
  obj,
  podTemplate,
  show,
  str,
  isDatabaseServer,
} from "./shapes";
import { PRIVATE_AND_METADATA_CIDRS, selects } from "./network";
import type { ResourceRule } from "./types";

/** The checklist over whole objects: probes, config, scaling, storage, schedules, network, RBAC, databases. */
export const objectRules: readonly ResourceRule[] = [
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
      "Long-running containers (native sidecars too) have readiness and liveness probes that differ and target declared ports; Jobs are exempt (hardening 11).",
    check: (r) => {
      if (isBatch(r)) return [];
      const pod = podTemplate(r);
      if (pod === undefined) return [];
      return (
        containersOf(pod.spec)
          // Native sidecars (init containers that keep running) are long-running too.
          .filter(
            (v) => v.kind === "container" || (v.kind === "initContainer" && v.c.restartPolicy === "Always"),
          )
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
          })
      );
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
      "PDBs allow at least one disruption, except a live trader's (maxUnavailable: 0, so no drain applies its " +
      "staged template), and use unhealthyPodEvictionPolicy: AlwaysAllow (hardening 17).",
    check: (r) => {
      if (r.type !== K.pdb) return [];
      const spec = obj(r.props.spec);
      const out: string[] = [];
      if (spec.unhealthyPodEvictionPolicy !== "AlwaysAllow")
        out.push(
          `unhealthyPodEvictionPolicy must be AlwaysAllow, got ${show(spec.unhealthyPodEvictionPolicy)}`,
        );
      // A live trader's PDB blocks evictions on purpose; pdb-coverage checks it covers one live trader only.
      if (spec.maxUnavailable === "0%" || (spec.maxUnavailable === 0 && !isLiveTraderPdb(r)))
        out.push(
          `maxUnavailable must allow a disruption, got ${show(spec.maxUnavailable)} ` +
            `(only a live trader's PDB, labelled botfleet.io/workload: trader and botfleet.io/mode: live, may set 0)`,
        );
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
  containerRule(
    "redis-cli-password-from-env",
    "redis-cli takes its password from REDISCLI_AUTH, never -a on the command line (hardening 12).",
    (v) => {
      const c = v.c;
      const text = JSON.stringify([c.readinessProbe, c.livenessProbe, c.startupProbe, c.command, c.args]);
      return /redis-cli/.test(text) && /"-a"/.test(text)
        ? [`${label(v)}: redis-cli must read the password from REDISCLI_AUTH, not -a (it shows in ps)`]
        : [];
    },
  ),
  {
    name: "postgres-pod",
    description:
      "Postgres servers start in order, chown their volume only on mismatch, have emptyDirs for /tmp and the socket dir, and probe with pg_isready on 127.0.0.1 behind a startup probe (hardening 13, 21).",
    check: (r) => {
      const pod = podTemplate(r);
      if (pod === undefined || !isDatabaseServer(pod.labels, "postgres")) return [];
      const out: string[] = [];
      if (
        r.type === K.statefulSet &&
        (obj(r.props.spec).podManagementPolicy ?? "OrderedReady") !== "OrderedReady"
      )
        out.push(
          `podManagementPolicy must be OrderedReady, got ${show(obj(r.props.spec).podManagementPolicy)}`,
        );
      const fsGroupChangePolicy = obj(pod.spec.securityContext).fsGroupChangePolicy;
      if (fsGroupChangePolicy !== "OnRootMismatch")
        out.push(`fsGroupChangePolicy must be OnRootMismatch, got ${show(fsGroupChangePolicy)}`);
      const main = obj(arr(pod.spec.containers).find((c) => String(obj(c).image).includes("postgres:")));
      const mounts = arr(main.volumeMounts).map((m) => obj(m).mountPath);
      for (const dir of ["/tmp", "/var/run/postgresql"])
        if (!mounts.includes(dir)) out.push(`${dir} needs an emptyDir (read-only root filesystem)`);
      const probes = JSON.stringify([main.readinessProbe, main.livenessProbe]);
      if (!/pg_isready/.test(probes) || !/127\.0\.0\.1/.test(probes))
        out.push("readiness and liveness probes must run pg_isready -h 127.0.0.1");
      if (!isObj(main.startupProbe)) out.push("a startupProbe must cover WAL replay");
      return out;
    },
  },
];
