import { describe, expect, test } from "bun:test";
import { interfacesOrNone } from "../../src/net/interfaces.ts";

describe("interfacesOrNone", () => {
  test("passes the list through", () => {
    const list = {
      eth0: [
        {
          address: "192.168.1.5",
          netmask: "255.255.255.0",
          family: "IPv4" as const,
          mac: "00:00:00:00:00:00",
          internal: false,
          cidr: "192.168.1.5/24",
        },
      ],
    };
    expect(interfacesOrNone(() => list)).toBe(list);
  });

  test("a source that throws (no netlink in a sandbox) gives no interfaces", () => {
    const forbidden = () => {
      throw new Error("A system error occurred: uv_interface_addresses returned EAFNOSUPPORT");
    };
    expect(interfacesOrNone(forbidden)).toEqual({});
  });
});
