import { describe, expect, it } from 'vitest';
import { formatStart, isKnownZone, startInstant } from './booking-time.ts';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('a booking\'s start time', () => {
  it('reads the date and time as wall-clock time in the zone; the Z or offset does not move it', () => {
    expect(iso(startInstant('2017-02-14T13:15:03Z', 'Asia/Bangkok'))).toBe('2017-02-14T06:15:03.000Z');
    expect(iso(startInstant('2017-02-14T13:15:03+05:00', 'Asia/Bangkok'))).toBe('2017-02-14T06:15:03.000Z');
    expect(formatStart(startInstant('2017-02-14T13:15:03Z', 'Asia/Bangkok')!, 'Asia/Bangkok')).toBe('Tuesday, February 14, 2017 1:15 pm');
    // The documentation's own answer, restated: 17 February 2017 11:15 in Lisbon (UTC+0 in winter).
    expect(formatStart(startInstant('2017-02-17T11:15:00Z', 'Europe/Lisbon')!, 'Europe/Lisbon')).toBe('Friday, February 17, 2017 11:15 am');
  });

  it('a half-hour zone with DST (Adelaide, +9:30 / +10:30) on both sides of its change', () => {
    expect(iso(startInstant('2024-07-01T09:00:00Z', 'Australia/Adelaide'))).toBe('2024-06-30T23:30:00.000Z');
    expect(iso(startInstant('2024-12-01T09:00:00Z', 'Australia/Adelaide'))).toBe('2024-11-30T22:30:00.000Z');
    expect(formatStart(Date.parse('2024-11-30T22:30:00Z'), 'Australia/Adelaide')).toBe('Sunday, December 1, 2024 9:00 am');
    // Clocks went from 02:00 to 03:00 on 6 October 2024: 02:30 does not exist and becomes 03:30.
    expect(formatStart(startInstant('2024-10-06T02:30:00Z', 'Australia/Adelaide')!, 'Australia/Adelaide')).toBe('Sunday, October 6, 2024 3:30 am');
    // Clocks went from 03:00 back to 02:00 on 7 April 2024: 02:30 happens twice; the first counts.
    expect(iso(startInstant('2024-04-07T02:30:00Z', 'Australia/Adelaide'))).toBe('2024-04-06T16:00:00.000Z');
  });

  it('a half-hour zone without DST (Kolkata, +5:30), and midnight and noon in 12-hour form', () => {
    expect(iso(startInstant('2024-03-01T00:00:00Z', 'Asia/Kolkata'))).toBe('2024-02-29T18:30:00.000Z');
    expect(formatStart(Date.parse('2024-02-29T18:30:00Z'), 'Asia/Kolkata')).toBe('Friday, March 1, 2024 12:00 am');
    expect(formatStart(Date.parse('2024-03-01T06:30:00Z'), 'Asia/Kolkata')).toBe('Friday, March 1, 2024 12:00 pm');
  });

  it('New York\'s spring gap and autumn overlap', () => {
    expect(formatStart(startInstant('2024-03-10T02:30:00Z', 'America/New_York')!, 'America/New_York')).toBe('Sunday, March 10, 2024 3:30 am');
    expect(iso(startInstant('2024-11-03T01:30:00Z', 'America/New_York'))).toBe('2024-11-03T05:30:00.000Z');
  });

  it('refuses what is not a date in the documented form', () => {
    for (const text of ['2024-02-30T10:00:00Z', '2024-13-01T10:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 10:00:00Z', '2024-01-01T10:00:00.000Z', '2024-01-01T10:00:00', 'tomorrow']) {
      expect(startInstant(text, 'UTC'), text).toBeUndefined();
    }
  });

  it('knows IANA zones and their aliases, not offsets or inventions', () => {
    for (const zone of ['Asia/Bangkok', 'America/Los_Angeles', 'US/Pacific', 'EST5EDT', 'Etc/GMT+5', 'UTC', 'Asia/Calcutta', 'Asia/Kolkata']) expect(isKnownZone(zone), zone).toBe(true);
    for (const zone of ['Mars/Olympus_Mons', '+05:30', 'Europe/Atlantis', '']) expect(isKnownZone(zone), zone).toBe(false);
  });
});
