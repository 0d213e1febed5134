// Files a client uploads to use later by URL (Gladia's audio_url, AssemblyAI's upload_url).
// Each upload belongs to its tenant and is named by a URL on this emulator; a later request
// naming that URL is resolved here, without a network request. Another tenant's upload URL
// resolves to nothing, as the vendors answer for a file that is not yours.
import type { AudioInfo } from '../engine/probe.ts';
import type { Ownership, Resource } from './ownership.ts';
import type { Random } from './random.ts';
import { createTenantStore } from './tenant-store.ts';

export interface Upload extends Resource {
  tenant: string;
  url: string;
  path: string;
  filename: string;
  bytes: number;
  contentType: string;
  /** What the audio is, when the vendor probed it on upload. */
  audio?: AudioInfo;
  /** The remote URL it was downloaded from, for uploads made by URL. */
  source?: string;
}

export interface UploadRegistry {
  /** Keeps the file as the tenant's upload; `urlFor` says how the vendor names it. */
  register(tenant: string, file: { path: string; filename: string; bytes: number; contentType: string; audio?: AudioInfo; source?: string }, urlFor: (id: string) => string): Upload;
  /** The tenant's upload a URL names (matched by path, whatever host the client used), if any. */
  resolve(tenant: string, url: string): Upload | undefined;
  /** Whether the URL names an upload of any tenant (so it must not be fetched). */
  isUploadUrl(url: string): boolean;
  list(tenant: string): Upload[];
  remove(tenant: string, id: string): Promise<void>;
  dispose(): Promise<void>;
}

const pathOf = (url: string) => {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
};

export function createUploadRegistry(ownership: Ownership, random: () => Random): UploadRegistry {
  const store = createTenantStore<Upload>(ownership);
  // The upload itself, not a { tenant, id } made for the map: it carries both.
  let byPath = new Map<string, Upload>();
  return {
    register(tenant, file, urlFor) {
      const id = random().uuid();
      const upload: Upload = { id, tenant, url: urlFor(id), ...file, held: {} };
      ownership.keep(upload.held, file.path);
      byPath.set(pathOf(upload.url) ?? upload.url, upload);
      return store.add(tenant, upload);
    },
    resolve(tenant, url) {
      const found = byPath.get(pathOf(url) ?? url);
      return found && found.tenant === tenant ? store.get(tenant, found.id) : undefined;
    },
    isUploadUrl: (url) => byPath.has(pathOf(url) ?? url),
    list: (tenant) => store.list(tenant),
    async remove(tenant, id) {
      const upload = store.get(tenant, id);
      if (upload) byPath.delete(pathOf(upload.url) ?? upload.url);
      await store.remove(tenant, id);
    },
    async dispose() {
      byPath = new Map();
      await store.dispose();
    },
  };
}
