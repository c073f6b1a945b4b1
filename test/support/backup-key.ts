/** The documentation recipient (config/backup-encryption.ts), for configs that turn backups on. */
import { EXAMPLE_RECIPIENT } from "../../config/backup-encryption";

export { EXAMPLE_RECIPIENT };

/** backup.encryption with the example key. */
export const exampleEncryption = { encryption: { recipient: EXAMPLE_RECIPIENT } };
