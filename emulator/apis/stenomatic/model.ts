// What Stenomatic keeps per key (a customer): clients, and rooms under them with the time they
// streamed. Room ids are unique across every customer; usage is derived from streamed time
// (usage.ts), never stored as a counter, so every window agrees with every other.
import type { Resource } from '../../core/ownership.ts';
import type { ApiRuntime } from '../../core/api-definition.ts';
import type { TenantStore } from '../../core/tenant-store.ts';
import type { SETTINGS } from './settings.ts';

export const SERVICES = ['speech_recognition', 'voice_translate'] as const;
export type Service = (typeof SERVICES)[number];

export interface Client extends Resource {
  name: string;
  createdMs: number;
}

/** A stretch of streaming with one set of services; `endMs` undefined while it goes on. */
export interface StreamInterval {
  startMs: number;
  endMs?: number;
  services: Service[];
}

export interface Room extends Resource {
  tenant: string;
  clientId: string;
  conferenceId: string;
  apiKey: string;
  title: string;
  description: string;
  fromLanguage: string;
  toLanguages: string[];
  sponsorship: { credit_title: string; title: string; description: string; info_url: string };
  passwords: { speaker: string; participant: string };
  isArchived: boolean;
  createdMs: number;
  updatedMs: number;
  /** Every stretch streamed, oldest first; the last is open while the room streams. */
  streamed: StreamInterval[];
  /** When the current stream began (a change of services does not restart it). */
  streamingSinceMs?: number;
}

export interface StenomaticState {
  /** The customer each key is: made with its first client, the same until a reset. */
  customers: Map<string, string>;
  clients: TenantStore<Client>;
  rooms: TenantStore<Room>;
}

export type StenomaticRuntime = ApiRuntime<typeof SETTINGS>;

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Mixed-case letters and digits, as the documentation's conference ids and room keys. */
export const alphanumeric = (runtime: StenomaticRuntime, length: number) => Array.from({ length }, () => ALPHANUMERIC[runtime.random.int(ALPHANUMERIC.length)]).join('');

export function customerOf(state: StenomaticState, tenant: string, runtime: StenomaticRuntime): string {
  let id = state.customers.get(tenant);
  if (!id) state.customers.set(tenant, (id = runtime.random.uuid()));
  return id;
}

/** The room of any customer with this id (ids are unique across customers). */
export function anyRoom(state: StenomaticState, id: string): Room | undefined {
  const tenant = state.rooms.tenantOf(id);
  return tenant === undefined ? undefined : state.rooms.get(tenant, id);
}
