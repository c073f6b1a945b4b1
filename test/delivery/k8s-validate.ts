import { Namespace } from "kubernetes-models/v1/Namespace";
import { Service } from "kubernetes-models/v1/Service";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";

/** Kinds the delivery fixtures use, so the "compliant" fixtures are proven to be real Kubernetes objects. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "apps/v1/StatefulSet": StatefulSet,
  "apps/v1/Deployment": Deployment,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
};

/** Schema errors of one object (empty when valid); undefined fields are dropped first, as Pulumi does. */
export function validate(props: Record<string, unknown>): string[] {
  const data = JSON.parse(JSON.stringify(props)) as { apiVersion?: string; kind?: string };
  const Model = MODELS[`${data.apiVersion}/${data.kind}`];
  if (Model === undefined) return [`no model for ${data.apiVersion}/${data.kind}`];
  try {
    new Model(data as never).validate();
    return [];
  } catch (e) {
    return [String(e)];
  }
}
