/**
 * The platform's images (data layer, backups, the MQTT broker) as promotion pins them: prod runs each by
 * digest (policy pack `prod-images-by-digest`), so a tag in Pulumi.prod.yaml, or a key left at its
 * default, is resolved at promotion time and written back as `<tag>@sha256:<digest>`. Pure.
 */
import { isRecord } from "../config/common";
import { DEFAULT_MQTT_IMAGE } from "../config/platform";
import {
  DEFAULT_BACKUP_IMAGE,
  DEFAULT_EXPORTER_IMAGE as DEFAULT_POSTGRES_EXPORTER_IMAGE,
  DEFAULT_POSTGRES_IMAGE,
} from "../config/postgres";
import { DEFAULT_EXPORTER_IMAGE as DEFAULT_REDIS_EXPORTER_IMAGE, DEFAULT_REDIS_IMAGE } from "../config/redis";

type Obj = Record<string, unknown>;

/** Each image key under `botfleet:` and the image the program uses when the key is not set. */
export const PLATFORM_IMAGES: readonly { readonly path: readonly string[]; readonly fallback: string }[] = [
  { path: ["redis", "image"], fallback: DEFAULT_REDIS_IMAGE },
  { path: ["redis", "exporterImage"], fallback: DEFAULT_REDIS_EXPORTER_IMAGE },
  { path: ["postgres", "image"], fallback: DEFAULT_POSTGRES_IMAGE },
  { path: ["postgres", "exporterImage"], fallback: DEFAULT_POSTGRES_EXPORTER_IMAGE },
  { path: ["postgres", "backup", "image"], fallback: DEFAULT_BACKUP_IMAGE },
  { path: ["platform", "mqttImage"], fallback: DEFAULT_MQTT_IMAGE },
];

export interface PlatformImage {
  /** Path from the top of the `config:` map: [`botfleet:redis`, `image`]. */
  readonly path: readonly string[];
  /** What prod runs now: the key's value, or the default when it is unset. */
  readonly image: unknown;
}

/** Prod's platform images, as its stack config sets them or the program defaults them. */
export function platformImages(prodConfig: Readonly<Obj>, project: string): PlatformImage[] {
  return PLATFORM_IMAGES.map(({ path, fallback }) => {
    const [section, ...rest] = path;
    let node: unknown = prodConfig[`${project}:${section}`];
    for (const key of rest) node = isRecord(node) ? node[key] : undefined;
    return { path: [`${project}:${section}`, ...rest], image: node ?? fallback };
  });
}
