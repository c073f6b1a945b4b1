/**
 * The hardening checklist (docs/hardening.md) as checks over every resource a stack
 * registers. Each violation names the item, the object and the rule. Items that need a real server
 * (32, 33: promtool/amtool) are proven by their own tests.
 */
import { isPinnedImage } from "../../config/common";
import type { RegisteredResource } from "../../lib/mockrun";
import { FAKE_SECRET_PREFIX } from "../../lib/stackfile";
import { PRIVATE_AND_METADATA_CIDRS } from "../../components/specs/network";
import {
  containersOf,
  kindOf,
  nameOf,
  namespaceOf,
  ofKind,
  selects,
  workloads,
  type Obj,
  type Workload,
} from "./k8s";

const ALLOWED_VOLUME_TYPES = [
  "configMap",
  "secret",
  "emptyDir",
  "projected",
  "downwardAPI",
  "persistentVolumeClaim",
  "ephemeral",
  "csi",
];
const SECRET_LIKE_ENV = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|PASSPHRASE|_AUTH$)/i;

/** Pods that may reach the internet (item 27): bots, off-cluster backups, Alertmanager to receivers. */
function mayReachInternet(
  namespace: string | undefined,
  podSelector: Obj | undefined,
  botsNamespace: string,
): boolean {
  if (namespace === botsNamespace) return true;
  const labels = (podSelector?.matchLabels ?? {}) as Record<string, string>;
  return (
    labels["app.kubernetes.io/component"] === "backup" || labels["app.kubernetes.io/name"] === "alertmanager"
  );
}

const where = (w: { resource: RegisteredResource }) =>
  `${kindOf(w.resource)} ${namespaceOf(w.resource) ?? "-"}/${nameOf(w.resource)}`;

export interface HardeningContext {
  readonly namespaces: { bots: string; data: string; monitoring: string };
  /** Secret values the program was given or derived (passwords have no recognisable prefix). @default [] */
  readonly secretValues?: readonly string[];
}

export function hardeningViolations(resources: RegisteredResource[], ctx: HardeningContext): string[] {
  const v: string[] = [];
  const all = workloads(resources);
  const hpas = ofKind(resources, "HorizontalPodAutoscaler");
  const pdbs = ofKind(resources, "PodDisruptionBudget");
  const policies = ofKind(resources, "NetworkPolicy");
  const services = ofKind(resources, "Service");

  // 1. Pod Security labels.
  for (const ns of ofKind(resources, "Namespace")) {
    const labels = (ns.inputs.metadata as Obj).labels ?? {};
    const want = nameOf(ns) === ctx.namespaces.monitoring ? "privileged" : "restricted";
    if (labels["pod-security.kubernetes.io/enforce"] !== want)
      v.push(`[1] Namespace ${nameOf(ns)}: pod-security enforce must be ${want}`);
  }

  for (const w of all) {
    const spec = w.podSpec;
    const pod = spec.securityContext ?? {};
    const isJob = w.kind === "Job" || w.kind === "CronJob";
    // 6. Host access.
    for (const key of ["hostNetwork", "hostPID", "hostIPC"])
      if (spec[key]) v.push(`[6] ${where(w)}: ${key} must not be set`);
    // 7. Volume types.
    for (const vol of (spec.volumes ?? []) as Obj[]) {
      const type = Object.keys(vol).find((k) => k !== "name");
      if (!type || !ALLOWED_VOLUME_TYPES.includes(type))
        v.push(`[7] ${where(w)}: volume ${vol.name} of type ${type} is not allowed`);
    }
    // 4 (pod level). seccomp.
    if (pod.seccompProfile?.type !== "RuntimeDefault")
      v.push(`[4] ${where(w)}: pod seccompProfile must be RuntimeDefault`);
    // 29. No token automount on pods.
    if (spec.automountServiceAccountToken !== false)
      v.push(`[29] ${where(w)}: automountServiceAccountToken must be false`);

    for (const { container: c, init } of containersOf(spec)) {
      const sc = c.securityContext ?? {};
      const at = `${where(w)} container ${c.name}`;
      if (sc.allowPrivilegeEscalation !== false) v.push(`[2] ${at}: allowPrivilegeEscalation must be false`);
      const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
      const uid = sc.runAsUser ?? pod.runAsUser;
      if (nonRoot !== true || typeof uid !== "number" || uid === 0)
        v.push(`[3] ${at}: must run as non-root with a numeric runAsUser != 0`);
      if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== "RuntimeDefault")
        v.push(`[4] ${at}: seccomp must be RuntimeDefault`);
      const drop = (sc.capabilities?.drop ?? []) as string[];
      const add = (sc.capabilities?.add ?? []) as string[];
      if (!drop.includes("ALL")) v.push(`[5] ${at}: capabilities must drop ALL`);
      if (add.some((cap) => cap !== "NET_BIND_SERVICE"))
        v.push(`[5] ${at}: only NET_BIND_SERVICE may be added, got ${add}`);
      if (sc.privileged) v.push(`[6] ${at}: must not be privileged`);
      for (const p of (c.ports ?? []) as Obj[])
        if (p.hostPort) v.push(`[6] ${at}: hostPort ${p.hostPort} is not allowed`);
      if (sc.readOnlyRootFilesystem !== true) v.push(`[8] ${at}: readOnlyRootFilesystem must be true`);
      const res = c.resources ?? {};
      if (!res.requests?.cpu || !res.requests?.memory || !res.limits?.memory)
        v.push(`[9] ${at}: needs cpu and memory requests and a memory limit`);
      if (!isPinnedImage(String(c.image ?? "")))
        v.push(`[10] ${at}: image ${c.image} must be pinned to a tag or digest`);
      // 11. Probes on long-running containers (Jobs and init containers are exempt; native sidecars are not).
      const longRunning = !isJob && (!init || c.restartPolicy === "Always");
      if (longRunning) {
        if (!c.readinessProbe || !c.livenessProbe) v.push(`[11] ${at}: needs readiness and liveness probes`);
        else if (JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe))
          v.push(`[11] ${at}: readiness and liveness probes must differ`);
        const declared = new Set(((c.ports ?? []) as Obj[]).flatMap((p) => [p.name, p.containerPort]));
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) {
          const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
          if (port !== undefined && !declared.has(port))
            v.push(`[11] ${at}: probe targets undeclared port ${port}`);
        }
      }
      // 30. No secret-like literal env values.
      for (const e of (c.env ?? []) as Obj[]) {
        if (SECRET_LIKE_ENV.test(e.name) && e.value !== undefined && e.valueFrom === undefined)
          v.push(`[30] ${at}: env ${e.name} is a literal; use secretKeyRef`);
      }
      // 12. Redis probes use REDISCLI_AUTH, never -a.
      const commands = JSON.stringify([c.readinessProbe, c.livenessProbe, c.startupProbe, c.command, c.args]);
      if (/redis-cli/.test(commands) && /"-a"/.test(commands))
        v.push(`[12] ${at}: redis-cli must not take the password with -a`);
    }

    // 14. Selector is a subset of the template labels.
    const selector = w.resource.inputs.spec?.selector;
    if (selector && !selects(selector, w.podLabels))
      v.push(`[14] ${where(w)}: selector does not match its pod template labels`);

    // 16/15/17/18. Scaling, disruption and spreading.
    const hpa = hpas.find(
      (h) =>
        h.inputs.spec?.scaleTargetRef?.name === nameOf(w.resource) &&
        h.inputs.spec?.scaleTargetRef?.kind === w.kind &&
        namespaceOf(h) === w.namespace,
    );
    if (hpa && w.resource.inputs.spec?.replicas !== undefined)
      v.push(`[16] ${where(w)}: scaled by an HPA, so spec.replicas must not be set`);
    const replicas = hpa
      ? Number(hpa.inputs.spec?.minReplicas ?? 1)
      : Number(w.resource.inputs.spec?.replicas ?? 1);
    const podPdbs = pdbs.filter(
      (p) => namespaceOf(p) === w.namespace && selects(p.inputs.spec?.selector, w.podLabels),
    );
    if (!isJob && replicas >= 2) {
      if (podPdbs.length === 0) v.push(`[17] ${where(w)}: ${replicas} replicas need a PodDisruptionBudget`);
      if (!spec.affinity?.podAntiAffinity && !(spec.topologySpreadConstraints ?? []).length)
        v.push(`[18] ${where(w)}: replicated pods need anti-affinity or topology spread`);
    }
    // A live trader (OnDelete: any eviction applies its staged template) is the one workload whose
    // budget blocks drains on purpose, and whose pods keep the cluster autoscaler off their node.
    const liveTrader =
      w.kind === "StatefulSet" &&
      !hpa &&
      replicas <= 1 &&
      w.podLabels["botfleet.io/workload"] === "trader" &&
      w.podLabels["botfleet.io/mode"] === "live";
    for (const p of podPdbs) {
      if (p.inputs.spec?.unhealthyPodEvictionPolicy !== "AlwaysAllow")
        v.push(`[17] PDB ${nameOf(p)}: unhealthyPodEvictionPolicy must be AlwaysAllow`);
      const blocks =
        p.inputs.spec?.maxUnavailable === 0 ||
        p.inputs.spec?.maxUnavailable === "0%" ||
        (p.inputs.spec?.minAvailable !== undefined && Number(p.inputs.spec.minAvailable) >= replicas);
      if (blocks && !liveTrader)
        v.push(
          `[17] PDB ${nameOf(p)}: allows no disruption of ${where(w)} (${replicas} replicas): it would block node drains`,
        );
    }
    if (liveTrader) {
      if (!podPdbs.some((p) => p.inputs.spec?.maxUnavailable === 0))
        v.push(`[17] ${where(w)}: a live trader needs a PodDisruptionBudget with maxUnavailable: 0`);
      if (w.template.metadata?.annotations?.["cluster-autoscaler.kubernetes.io/safe-to-evict"] !== "false")
        v.push(
          `[17] ${where(w)}: a live trader's pods need cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`,
        );
    }

    if (w.kind === "StatefulSet") checkStatefulSet(w, services, v);
    if (w.kind === "CronJob") checkCronJob(w, v);
    checkDatabase(w, all, v);
  }

  for (const h of hpas) {
    const s = h.inputs.spec ?? {};
    if (!String(h.inputs.apiVersion).startsWith("autoscaling/v2"))
      v.push(`[15] HPA ${nameOf(h)}: must be autoscaling/v2`);
    const target = all.find(
      (w) =>
        w.kind === s.scaleTargetRef?.kind &&
        nameOf(w.resource) === s.scaleTargetRef?.name &&
        w.namespace === namespaceOf(h),
    );
    if (!target)
      v.push(
        `[15] HPA ${nameOf(h)}: targets ${s.scaleTargetRef?.kind}/${s.scaleTargetRef?.name}, which the stack does not define`,
      );
    if (!(s.minReplicas >= 2) || !(s.maxReplicas > s.minReplicas))
      v.push(`[15] HPA ${nameOf(h)}: needs minReplicas >= 2 and maxReplicas > minReplicas`);
    if (s.behavior?.scaleDown?.stabilizationWindowSeconds === undefined)
      v.push(`[15] HPA ${nameOf(h)}: needs a scale-down stabilization window`);
  }

  // 25/26/27. Network policies.
  for (const ns of ofKind(resources, "Namespace")) {
    const inNs = policies.filter((p) => namespaceOf(p) === nameOf(ns));
    const deny = inNs.find((p) => {
      const s = p.inputs.spec ?? {};
      return (
        Object.keys(s.podSelector ?? {}).length === 0 &&
        ["Ingress", "Egress"].every((t) => (s.policyTypes ?? []).includes(t)) &&
        !s.ingress &&
        !s.egress
      );
    });
    if (!deny)
      v.push(`[25] Namespace ${nameOf(ns)}: needs a default-deny NetworkPolicy for Ingress and Egress`);
  }
  for (const p of policies) {
    const s = p.inputs.spec ?? {};
    for (const rule of (s.egress ?? []) as Obj[]) {
      const ports = (rule.ports ?? []) as Obj[];
      const internet = ((rule.to ?? []) as Obj[]).filter((peer) => peer.ipBlock?.cidr === "0.0.0.0/0");
      if ((rule.to ?? []).length === 0 && ports.length === 0)
        v.push(
          `[25] NetworkPolicy ${nameOf(p)}: an egress rule with no peers and no ports allows everything`,
        );
      if (ports.some((port) => Number(port.port) === 53) && (rule.to ?? []).length === 0)
        v.push(`[26] NetworkPolicy ${nameOf(p)}: DNS egress must go to kube-dns only`);
      for (const peer of internet) {
        const except = (peer.ipBlock.except ?? []) as string[];
        if (!PRIVATE_AND_METADATA_CIDRS.every((c) => except.includes(c)))
          v.push(
            `[27] NetworkPolicy ${nameOf(p)}: internet egress must except ${PRIVATE_AND_METADATA_CIDRS.join(", ")}`,
          );
        if (!mayReachInternet(namespaceOf(p), s.podSelector, ctx.namespaces.bots))
          v.push(
            `[27] NetworkPolicy ${nameOf(p)}: only bots, backups and Alertmanager may reach the internet`,
          );
      }
    }
  }

  // 29. Service accounts and RBAC.
  for (const sa of ofKind(resources, "ServiceAccount")) {
    if (sa.inputs.automountServiceAccountToken !== false)
      v.push(`[29] ServiceAccount ${nameOf(sa)}: automountServiceAccountToken must be false`);
  }
  for (const role of [...ofKind(resources, "Role"), ...ofKind(resources, "ClusterRole")]) {
    for (const rule of (role.inputs.rules ?? []) as Obj[]) {
      const all3 = [...(rule.verbs ?? []), ...(rule.resources ?? []), ...(rule.apiGroups ?? [])];
      if (all3.includes("*")) v.push(`[29] ${kindOf(role)} ${nameOf(role)}: no wildcards`);
      if ((rule.resources ?? []).some((r: string) => ["secrets", "pods/exec", "pods/attach"].includes(r)))
        v.push(`[29] ${kindOf(role)} ${nameOf(role)}: must not read secrets or exec/attach`);
    }
  }
  for (const crb of ofKind(resources, "ClusterRoleBinding")) {
    if (crb.inputs.roleRef?.name === "cluster-admin")
      v.push(`[29] ClusterRoleBinding ${nameOf(crb)}: never cluster-admin`);
  }

  // 6. No LoadBalancer or NodePort unless declared.
  for (const svc of services) {
    const type = svc.inputs.spec?.type;
    const declared =
      (svc.inputs.metadata as Obj)?.annotations?.["botfleet.io/allow-load-balancer"] === "true";
    if ((type === "LoadBalancer" && !declared) || type === "NodePort")
      v.push(`[6] Service ${nameOf(svc)}: type ${type} is not allowed`);
  }

  // 30/31. Secrets never in ConfigMaps (traced by value in the leak check) and never a literal in a Secret's annotations.
  for (const cm of ofKind(resources, "ConfigMap")) {
    const text = JSON.stringify(cm.inputs.data ?? {});
    if (text.includes(FAKE_SECRET_PREFIX) || (ctx.secretValues ?? []).some((s) => text.includes(s)))
      v.push(`[30] ConfigMap ${nameOf(cm)}: holds a secret value`);
  }
  return v;
}

function checkStatefulSet(w: Workload, services: RegisteredResource[], v: string[]) {
  const s = w.resource.inputs.spec ?? {};
  // 19. Governing headless Service.
  const svc = services.find((x) => nameOf(x) === s.serviceName && namespaceOf(x) === w.namespace);
  if (!svc || svc.inputs.spec?.clusterIP !== "None")
    v.push(`[19] ${where(w)}: serviceName ${s.serviceName} must name a headless Service in its namespace`);
  // 20. Claims with size and retention.
  const claims = (s.volumeClaimTemplates ?? []) as Obj[];
  for (const claim of claims) {
    if (!claim.spec?.resources?.requests?.storage)
      v.push(`[20] ${where(w)}: claim ${claim.metadata?.name} needs a size`);
  }
  if (claims.length > 0) {
    const policy = s.persistentVolumeClaimRetentionPolicy ?? {};
    if (policy.whenDeleted !== "Retain" || policy.whenScaled !== "Retain")
      v.push(`[20] ${where(w)}: persistentVolumeClaimRetentionPolicy must be Retain/Retain`);
  }
}

function checkCronJob(w: Workload, v: string[]) {
  const s = w.resource.inputs.spec ?? {};
  if (s.concurrencyPolicy !== "Forbid") v.push(`[24] ${where(w)}: concurrencyPolicy must be Forbid`);
  if (s.startingDeadlineSeconds === undefined) v.push(`[24] ${where(w)}: needs startingDeadlineSeconds`);
  if (s.jobTemplate?.spec?.ttlSecondsAfterFinished !== undefined)
    v.push(`[24] ${where(w)}: no ttlSecondsAfterFinished inside the jobTemplate`);
  if (!["OnFailure", "Never"].includes(w.podSpec.restartPolicy))
    v.push(`[24] ${where(w)}: restartPolicy must be OnFailure or Never`);
}

function checkDatabase(w: Workload, all: Workload[], v: string[]) {
  const app = w.podLabels["app.kubernetes.io/name"];
  if (app !== "postgres" && app !== "redis") return;
  const component = w.podLabels["app.kubernetes.io/component"];
  if (component === "backup") return;
  const spec = w.podSpec;
  // 18. Required anti-affinity once a database has two or more pods (possibly across StatefulSets).
  const pods = all
    .filter((x) => x.kind === "StatefulSet" && x.namespace === w.namespace)
    .filter(
      (x) =>
        x.podLabels["app.kubernetes.io/name"] === app &&
        x.podLabels["app.kubernetes.io/component"] !== "backup",
    )
    .reduce((n, x) => n + Number(x.resource.inputs.spec?.replicas ?? 1), 0);
  if (pods >= 2 && !spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution) {
    v.push(`[18] ${where(w)}: databases with ${pods} pods need required hostname anti-affinity`);
  }
  if (app === "postgres") {
    // 21 and 13.
    if ((w.resource.inputs.spec?.podManagementPolicy ?? "OrderedReady") !== "OrderedReady")
      v.push(`[21] ${where(w)}: podManagementPolicy must be OrderedReady`);
    if (spec.securityContext?.fsGroupChangePolicy !== "OnRootMismatch")
      v.push(`[21] ${where(w)}: fsGroupChangePolicy must be OnRootMismatch`);
    const main = (spec.containers as Obj[]).find((c) => String(c.image).includes("postgres:")) ?? {};
    const mounts = ((main.volumeMounts ?? []) as Obj[]).map((m) => m.mountPath);
    for (const dir of ["/tmp", "/var/run/postgresql"])
      if (!mounts.includes(dir)) v.push(`[21] ${where(w)}: ${dir} needs an emptyDir`);
    const probes = JSON.stringify([main.readinessProbe, main.livenessProbe]);
    if (!/pg_isready/.test(probes) || !/127\.0\.0\.1/.test(probes))
      v.push(`[13] ${where(w)}: probes must run pg_isready -h 127.0.0.1`);
    if (!main.startupProbe) v.push(`[13] ${where(w)}: needs a startupProbe for WAL replay`);
  }
}
