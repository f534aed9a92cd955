// Lookups into data the stages own (geo, assets, threat intel, profiles), through injected providers.
// A lookup that finds nothing returns an empty map, so `geo(ip).country_iso_code == "RU"` is simply
// a missing field (no match), while a missing provider is a configuration error worth reporting.
import { activeProvider } from '../providers.ts';
import { type ExpressionFunction, FunctionArgumentError, toNumber, toText } from './types.ts';

function required<T>(provider: T | undefined, fn: string, what: string): T {
  if (provider === undefined) throw new FunctionArgumentError(`${fn}: no ${what} is configured`);
  return provider;
}

export const INTEL_TYPES = ['ip', 'cidr', 'domain', 'url', 'hash'] as const;

export const lookupFunctions: ExpressionFunction[] = [
  {
    signature: 'geo(dyn): map',
    handler: (ip: unknown) => required(activeProvider('geo'), 'geo', 'geo database')(toText(ip, 'geo')) ?? {},
    description:
      'geo(ip): {country_iso_code, country_name, city_name, location: {lat, lon}, asn, as_org} or {}',
  },
  {
    signature: 'asset(dyn): map',
    handler: (ip: unknown) =>
      required(activeProvider('asset'), 'asset', 'asset inventory')(toText(ip, 'asset')) ?? {},
    description: 'asset(ip or host): {owner, criticality, tags, ...} from the inventory, or {}',
  },
  {
    signature: 'intel(dyn, dyn): bool',
    handler: (indicator: unknown, type: unknown) => {
      const t = toText(type, 'intel');
      if (!(INTEL_TYPES as readonly string[]).includes(t))
        throw new FunctionArgumentError(
          `intel: unknown indicator type ${JSON.stringify(t)} (${INTEL_TYPES.join(', ')})`,
        );
      return (
        required(activeProvider('intel'), 'intel', 'threat intel')(toText(indicator, 'intel'), t) !==
        undefined
      );
    },
    description: 'intel(indicator, "ip"|"cidr"|"domain"|"url"|"hash"): the indicator is a known threat',
  },
  {
    signature: 'intelInfo(dyn, dyn): map',
    handler: (indicator: unknown, type: unknown) =>
      required(
        activeProvider('intel'),
        'intelInfo',
        'threat intel',
      )(toText(indicator, 'intelInfo'), toText(type, 'intelInfo')) ?? {},
    description:
      'intelInfo(indicator, type): the matching indicator record ({source, threat, confidence, ...}) or {}',
  },
  {
    signature: 'profile(dyn, dyn, dyn): list',
    handler: (name: unknown, entity: unknown, periods: unknown) =>
      required(activeProvider('profile'), 'profile', 'profile store')(
        toText(name, 'profile'),
        toText(entity, 'profile'),
        toNumber(periods, 'profile'),
      ),
    description: 'profile(name, entity, periods): the profile values of the last periods, oldest first',
  },
];
