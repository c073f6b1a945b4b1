/** Stack rules on where replicated pods run and how StatefulSet pods are named (docs/hardening.md). */
import { hpaTargets, minimumPods, namesObject } from "./stack-rules";
import { K, arr, obj, podTemplate, show, str, namespaceOf, objectName } from "./shapes";
import type { StackFinding, StackRule } from "./types";

export const workloadRules: readonly StackRule[] = [
  {
    name: "replicated-pods-spread",
    description:
      "A workload running two or more pods (or its HPA's minReplicas) prefers other nodes: pod " +
      "anti-affinity or a topology spread constraint (hardening 18).",
    check: (resources) => {
      const targets = hpaTargets(resources);
      return resources.flatMap((w): StackFinding[] => {
        const pods = minimumPods(w, targets);
        if (pods === undefined || pods < 2) return [];
        const spec = podTemplate(w)?.spec ?? {};
        const spread =
          obj(spec.affinity).podAntiAffinity !== undefined || arr(spec.topologySpreadConstraints).length > 0;
        return spread
          ? []
          : [
              {
                resource: w,
                message: `workload ${objectName(w)} runs at least ${pods} pods but neither podAntiAffinity nor topologySpreadConstraints keeps them apart: one node lost takes them all`,
              },
            ];
      });
    },
  },
  {
    name: "statefulset-governing-service",
    description:
      "Each StatefulSet's serviceName names a headless Service (clusterIP: None) in its namespace (hardening 19).",
    check: (resources) =>
      resources
        .filter((r) => r.type === K.statefulSet)
        .flatMap((sts): StackFinding[] => {
          const serviceName = str(obj(sts.props.spec).serviceName);
          // An unknown name (preview of a new autonamed Service) cannot be checked.
          if (serviceName === undefined) return [];
          const governing = resources.find(
            (s) =>
              s.type === K.service &&
              namespaceOf(s) === namespaceOf(sts) &&
              namesObject(s, serviceName) &&
              obj(s.props.spec).clusterIP === "None",
          );
          return governing !== undefined
            ? []
            : [
                {
                  resource: sts,
                  message: `serviceName ${show(serviceName)} names no headless Service (clusterIP: None) in namespace ${namespaceOf(sts)}: its pods get no stable DNS names`,
                },
              ];
        }),
  },
];
