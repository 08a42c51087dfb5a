/**
 * This machine's network interfaces, or none. Listing them needs a netlink
 * socket on Linux, which a sandbox may forbid (systemd's
 * RestrictAddressFamilies without AF_NETLINK): then os.networkInterfaces()
 * throws, and papo only loses the extra addresses it would have printed,
 * invited to and accepted as Host, instead of failing to start.
 */

import { type NetworkInterfaceInfo, networkInterfaces } from "node:os";

/** What os.networkInterfaces() returns. */
export type InterfaceList = Record<string, NetworkInterfaceInfo[] | undefined>;

/** `source()` (os.networkInterfaces by default), or no interfaces when it throws. */
export function interfacesOrNone(source: () => InterfaceList = networkInterfaces): InterfaceList {
  try {
    return source();
  } catch {
    return {};
  }
}
