/** The MQTT broker hummingbot's headless mode reports to (only when the fleet has hummingbot bots). */
import type { PodPlacement } from "../specs/placement";
import type * as k8s from "@pulumi/kubernetes";
import { selectorLabels, standardLabels } from "../specs/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../specs/security";
import { initResources, tmpVolume } from "./containers";
import { CHECKSUM_ANNOTATION, MQTT_PORT, SHARED } from "./names";

/** eclipse-mosquitto runs as uid 1883 (`mosquitto`). */
export const MOSQUITTO_UID = 1883;
export { DEFAULT_MQTT_IMAGE } from "../../config/platform";

export const mqttSelector = () => selectorLabels({ name: "mosquitto", instance: SHARED.mqtt });
const mqttLabels = () => standardLabels({ name: "mosquitto", instance: SHARED.mqtt, component: "broker" });

export function mosquittoConf(): string {
  return [
    "# Hummingbot headless bots are controlled and report heartbeats over MQTT.",
    `listener ${MQTT_PORT} 0.0.0.0`,
    "allow_anonymous false",
    "password_file /mosquitto/auth/passwd",
    // Each bot's user may touch only hbot/<its instance id>/# (mqtt-auth.ts).
    "acl_file /mosquitto/config/acl",
    "persistence true",
    "persistence_location /mosquitto/data/",
    "log_dest stdout",
    "",
  ].join("\n");
}

/** @param acl mosquitto's acl_file ({@link mosquittoAcl}): user names and topics, nothing secret */
export function mqttConfigMap(namespace: string, acl: string): k8s.types.input.core.v1.ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    data: { "mosquitto.conf": mosquittoConf(), acl },
  };
}

export function mqttService(namespace: string): k8s.types.input.core.v1.Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      // Headless: it governs the broker StatefulSet and resolves to its single pod.
      clusterIP: "None",
      selector: mqttSelector(),
      ports: [{ name: "mqtt", port: MQTT_PORT, targetPort: "mqtt", protocol: "TCP" }],
    },
  };
}

export function mqttStatefulSet(
  namespace: string,
  opts: { image: string; storage: string; storageClass?: string; checksum: string; placement?: PodPlacement },
): k8s.types.input.apps.v1.StatefulSet {
  const sc = restrictedContainerSecurityContext(MOSQUITTO_UID);
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      serviceName: SHARED.mqtt,
      replicas: 1,
      podManagementPolicy: "OrderedReady",
      selector: { matchLabels: mqttSelector() },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
      volumeClaimTemplates: [
        {
          metadata: { name: "data", labels: mqttSelector() },
          spec: {
            accessModes: ["ReadWriteOnce"],
            ...(opts.storageClass === undefined ? {} : { storageClassName: opts.storageClass }),
            resources: { requests: { storage: opts.storage } },
          },
        },
      ],
      template: {
        metadata: { labels: mqttLabels(), annotations: { [CHECKSUM_ANNOTATION]: opts.checksum } },
        spec: {
          serviceAccountName: SHARED.serviceAccount,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // The broker is part of the bots' class: it goes where they go.
          ...opts.placement,
          securityContext: restrictedPodSecurityContext(MOSQUITTO_UID),
          terminationGracePeriodSeconds: 30,
          initContainers: [
            {
              name: "passwd",
              image: opts.image,
              command: ["/bin/sh", "/bot-scripts/mosquitto-init.sh"],
              env: [
                { name: "PASSWD_FILE", value: "/mqtt-secret/passwd" },
                { name: "AUTH_DIR", value: "/mosquitto/auth" },
              ],
              resources: initResources,
              securityContext: sc,
              volumeMounts: [
                { name: "bot-scripts", mountPath: "/bot-scripts", readOnly: true },
                { name: "mqtt-secret", mountPath: "/mqtt-secret", readOnly: true },
                { name: "auth", mountPath: "/mosquitto/auth" },
              ],
            },
          ],
          containers: [
            {
              name: "mosquitto",
              image: opts.image,
              command: ["/usr/sbin/mosquitto", "-c", "/mosquitto/config/mosquitto.conf"],
              ports: [{ name: "mqtt", containerPort: MQTT_PORT, protocol: "TCP" }],
              resources: {
                requests: { cpu: "50m", memory: "64Mi", "ephemeral-storage": "64Mi" },
                limits: { memory: "128Mi", "ephemeral-storage": "64Mi" },
              },
              securityContext: sc,
              readinessProbe: { tcpSocket: { port: "mqtt" }, periodSeconds: 5, failureThreshold: 2 },
              livenessProbe: {
                tcpSocket: { port: "mqtt" },
                initialDelaySeconds: 10,
                periodSeconds: 20,
                failureThreshold: 6,
              },
              volumeMounts: [
                { name: "config", mountPath: "/mosquitto/config", readOnly: true },
                { name: "auth", mountPath: "/mosquitto/auth", readOnly: true },
                { name: "data", mountPath: "/mosquitto/data" },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "config", configMap: { name: SHARED.mqtt } },
            { name: "bot-scripts", configMap: { name: SHARED.scripts, defaultMode: 0o555 } },
            {
              name: "mqtt-secret",
              secret: { secretName: SHARED.mqtt, items: [{ key: "passwd", path: "passwd" }] },
            },
            { name: "auth", emptyDir: { sizeLimit: "1Mi" } },
            tmpVolume("16Mi"),
          ],
        },
      },
    },
  };
}

/** Only hummingbot pods reach the broker; it reaches nothing (DNS aside, from the platform). */
export function mqttNetworkPolicy(namespace: string): k8s.types.input.networking.v1.NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: SHARED.mqtt, namespace, labels: mqttLabels() },
    spec: {
      podSelector: { matchLabels: mqttSelector() },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        {
          from: [{ podSelector: { matchLabels: { "botfleet.io/preset": "hummingbot" } } }],
          ports: [{ protocol: "TCP", port: MQTT_PORT }],
        },
      ],
      egress: [],
    },
  };
}
