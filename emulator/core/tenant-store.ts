// One store per kind of resource, partitioned by tenant (the credential a request carried),
// as LocalStack keeps one store per account and region: two keys never see each other's
// resources. Dropping a store releases everything its resources hold.
import type { Ownership, Resource } from './ownership.ts';

export interface TenantStore<R extends Resource> {
  /** The tenant's resources, oldest first. */
  list(tenant: string): R[];
  get(tenant: string, id: string): R | undefined;
  add(tenant: string, resource: R): R;
  /** Forgets the resource and releases what it holds. */
  remove(tenant: string, id: string): Promise<void>;
  /** Which tenant holds a resource with this id, if any (ids unique across tenants). */
  tenantOf(id: string): string | undefined;
  /** Every resource of every tenant. */
  all(): R[];
  /** Releases every resource; the store is empty afterwards. */
  dispose(): Promise<void>;
}

export function createTenantStore<R extends Resource>(ownership: Ownership): TenantStore<R> {
  let byTenant = new Map<string, Map<string, R>>();
  const of = (tenant: string) => {
    let resources = byTenant.get(tenant);
    if (!resources) byTenant.set(tenant, (resources = new Map()));
    return resources;
  };
  return {
    list: (tenant) => [...(byTenant.get(tenant)?.values() ?? [])],
    get: (tenant, id) => byTenant.get(tenant)?.get(id),
    add(tenant, resource) {
      of(tenant).set(resource.id, resource);
      return resource;
    },
    async remove(tenant, id) {
      const resource = byTenant.get(tenant)?.get(id);
      if (!resource) return;
      byTenant.get(tenant)!.delete(id);
      await ownership.release(resource.held);
    },
    tenantOf(id) {
      for (const [tenant, resources] of byTenant) if (resources.has(id)) return tenant;
      return undefined;
    },
    all: () => [...byTenant.values()].flatMap((resources) => [...resources.values()]),
    async dispose() {
      const old = byTenant;
      byTenant = new Map();
      for (const resources of old.values()) for (const resource of resources.values()) await ownership.release(resource.held);
    },
  };
}
