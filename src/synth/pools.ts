import { faker } from '@faker-js/faker/locale/en';
import RandExpModule from 'randexp';
import type { Random } from '../tasks/random.js';

/**
 * Realistic values from well-kept generators: @faker-js/faker (English) for people, places,
 * companies, products and text; randexp for strings a pattern describes. Each kind of value is a
 * pool drawn once per process from a fixed faker seed, and domains pick from the pools with their
 * own seeded Random: values stay byte-identical per seed whichever worker makes a domain, and a
 * domain of thousands of values costs picks, not generator calls.
 */

const POOL_SIZE = 400;
const POOL_SEED = 17;

export type PoolKind =
  | 'firstName' | 'lastName' | 'fullName' | 'username' | 'email' | 'phone' | 'street' | 'secondary' | 'city' | 'county' | 'state' | 'stateCode'
  | 'country' | 'countryCode' | 'zip' | 'company' | 'product' | 'productDescription' | 'department' | 'jobTitle' | 'catchPhrase'
  | 'phrase' | 'sentence' | 'bookTitle' | 'song' | 'genre' | 'cuisine' | 'word' | 'adjective' | 'noun' | 'url' | 'imageUrl' | 'domain' | 'ipv4'
  | 'ipv6' | 'color' | 'currency' | 'timeZone' | 'fileName' | 'filePath' | 'mimeType' | 'iban' | 'accountNumber' | 'password'
  | 'airport' | 'airline' | 'vehicle' | 'semver' | 'locale' | 'language' | 'mac' | 'userAgent';

const MAKERS: Record<PoolKind, () => string> = {
  firstName: () => faker.person.firstName(),
  lastName: () => faker.person.lastName(),
  fullName: () => `${faker.person.firstName()} ${faker.person.lastName()}`,
  username: () => faker.internet.username().toLowerCase(),
  // Reserved example domains (RFC 2606): no seed row names a real mailbox.
  email: () => faker.internet.exampleEmail().toLowerCase(),
  phone: () => faker.phone.number({ style: 'national' }),
  street: () => faker.location.streetAddress(),
  secondary: () => faker.location.secondaryAddress(),
  city: () => faker.location.city(),
  county: () => faker.location.county(),
  state: () => faker.location.state(),
  stateCode: () => faker.location.state({ abbreviated: true }),
  country: () => faker.location.country(),
  countryCode: () => faker.location.countryCode('alpha-2'),
  zip: () => faker.location.zipCode('#####'),
  company: () => faker.company.name(),
  product: () => faker.commerce.productName(),
  productDescription: () => faker.commerce.productDescription(),
  department: () => faker.commerce.department(),
  jobTitle: () => faker.person.jobTitle(),
  catchPhrase: () => faker.company.catchPhrase(),
  phrase: () => faker.hacker.phrase(),
  sentence: () => `${faker.company.catchPhrase()} for ${faker.commerce.department().toLowerCase()}.`,
  bookTitle: () => faker.book.title(),
  song: () => faker.music.songName(),
  genre: () => faker.music.genre(),
  cuisine: () => faker.food.ethnicCategory(),
  word: () => faker.word.noun(),
  adjective: () => faker.word.adjective(),
  noun: () => faker.word.noun(),
  url: () => faker.internet.url({ appendSlash: false }),
  imageUrl: () => `https://images.${faker.internet.domainName()}/${faker.string.alphanumeric(10).toLowerCase()}.jpg`,
  domain: () => faker.internet.domainName(),
  ipv4: () => faker.internet.ipv4(),
  ipv6: () => faker.internet.ipv6(),
  color: () => faker.color.human(),
  currency: () => faker.finance.currencyCode(),
  timeZone: () => faker.location.timeZone(),
  fileName: () => faker.system.commonFileName(),
  filePath: () => faker.system.filePath(),
  mimeType: () => faker.system.mimeType(),
  iban: () => faker.finance.iban(),
  accountNumber: () => faker.finance.accountNumber(10),
  password: () => faker.internet.password({ length: 14 }),
  airport: () => faker.airline.airport().iataCode,
  airline: () => faker.airline.airline().name,
  vehicle: () => faker.vehicle.vehicle(),
  semver: () => faker.system.semver(),
  locale: () => faker.helpers.arrayElement(['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'pt-BR', 'ja-JP', 'it-IT']),
  language: () => faker.helpers.arrayElement(['en', 'de', 'fr', 'es', 'pt', 'ja', 'it', 'nl']),
  mac: () => faker.internet.mac(),
  userAgent: () => faker.internet.userAgent(),
};

const pools = new Map<PoolKind, string[]>();

/** The pool of one kind of value, drawn on first use (its own faker seed, so pools do not depend on each other's order). */
function pool(kind: PoolKind): string[] {
  let values = pools.get(kind);
  if (!values) {
    faker.seed([POOL_SEED, ...[...kind].map((c) => c.charCodeAt(0))]);
    values = Array.from({ length: POOL_SIZE }, MAKERS[kind]);
    pools.set(kind, values);
  }
  return values;
}

/** One value of a kind, chosen by the domain's Random. */
export function pick(kind: PoolKind, rng: Random): string {
  return rng.pick(pool(kind));
}

// randexp is CommonJS; its class arrives as the module or under `default`.
type RandExpInstance = { max: number; randInt: (a: number, b: number) => number; gen: () => string };
type RandExpClass = new (pattern: RegExp) => RandExpInstance;
const RandExp = ((RandExpModule as unknown as { default?: RandExpClass }).default ?? RandExpModule) as unknown as RandExpClass;

/** A string matching a JSON Schema pattern (unanchored patterns may add text around), or undefined when none can be made. */
export function fromPattern(pattern: string, rng: Random): string | undefined {
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
  try {
    const gen = new RandExp(re);
    gen.max = 4;
    gen.randInt = (a, b) => rng.int(a, b);
    // Printable ASCII only: a pattern's `.` or negated class should not give control characters.
    for (let attempt = 0; attempt < 5; attempt++) {
      const value = gen.gen();
      if (re.test(value) && /^[\x20-\x7e]*$/.test(value)) return value;
    }
  } catch {
    // Lookarounds and other constructs randexp does not know: no value.
  }
  return undefined;
}
