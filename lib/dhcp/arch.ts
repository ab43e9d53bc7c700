/**
 * Client system architecture types (option 93): RFC 4578 §2.1 and the IANA
 * "Processor Architecture Types" registry.
 *
 * @module
 */

import { nameLookup } from "./codes.ts";

/** Client architecture types sent in option 93 (RFC 4578, IANA registry). */
export const ClientArch = {
  /** RFC 4578: Intel x86PC (legacy BIOS). */
  IntelX86Pc: 0,
  /** RFC 4578: NEC/PC98 (deprecated). */
  NecPc98: 1,
  /** RFC 4578: EFI Itanium. */
  EfiItanium: 2,
  /** RFC 4578: DEC Alpha (deprecated). */
  DecAlpha: 3,
  /** RFC 4578: Arc x86 (deprecated). */
  ArcX86: 4,
  /** RFC 4578: Intel Lean Client (deprecated). */
  IntelLeanClient: 5,
  /** RFC 4578: EFI IA32 (x86 UEFI). */
  EfiIa32: 6,
  /** RFC 4578 "EFI BC", IANA "x64 UEFI": what x86-64 UEFI firmware sends. */
  EfiX86_64: 7,
  /** RFC 4578: EFI Xscale (deprecated). */
  EfiXscale: 8,
  /** RFC 4578 "EFI x86-64" (IANA: EBC); some x86-64 UEFI firmware sends it. */
  EfiX86_64Alt: 9,
  /** IANA: ARM 32-bit UEFI. */
  EfiArm32: 10,
  /** IANA: ARM 64-bit UEFI. */
  EfiArm64: 11,
  /** IANA: PowerPC Open Firmware. */
  PowerPcOpenFirmware: 12,
  /** IANA: PowerPC ePAPR. */
  PowerPcEpapr: 13,
  /** IANA: POWER OPAL v3. */
  PowerOpalV3: 14,
  /** IANA: x86 UEFI HTTP boot. */
  EfiX86Http: 15,
  /** IANA: x64 UEFI HTTP boot. */
  EfiX86_64Http: 16,
  /** IANA: EBC HTTP boot. */
  EfiBcHttp: 17,
  /** IANA: ARM 32-bit UEFI HTTP boot. */
  ArmUefi32Http: 18,
  /** IANA: ARM 64-bit UEFI HTTP boot. */
  ArmUefi64Http: 19,
  /** IANA: PC/AT BIOS HTTP boot. */
  PcBiosHttp: 20,
  /** IANA: ARM 32-bit U-Boot. */
  ArmUboot32: 21,
  /** IANA: ARM 64-bit U-Boot. */
  ArmUboot64: 22,
  /** IANA: ARM 32-bit U-Boot HTTP. */
  ArmUboot32Http: 23,
  /** IANA: ARM 64-bit U-Boot HTTP. */
  ArmUboot64Http: 24,
  /** IANA: RISC-V 32-bit UEFI. */
  RiscV32Uefi: 25,
  /** IANA: RISC-V 32-bit UEFI HTTP. */
  RiscV32UefiHttp: 26,
  /** IANA: RISC-V 64-bit UEFI. */
  RiscV64Uefi: 27,
  /** IANA: RISC-V 64-bit UEFI HTTP. */
  RiscV64UefiHttp: 28,
  /** IANA: RISC-V 128-bit UEFI. */
  RiscV128Uefi: 29,
  /** IANA: RISC-V 128-bit UEFI HTTP. */
  RiscV128UefiHttp: 30,
  /** IANA: s390 Basic. */
  S390Basic: 31,
  /** IANA: s390 Extended. */
  S390Extended: 32,
  /** IANA: MIPS 32-bit UEFI. */
  Mips32Uefi: 33,
  /** IANA: MIPS 64-bit UEFI. */
  Mips64Uefi: 34,
  /** IANA: Sunway 32-bit UEFI. */
  Sunway32Uefi: 35,
  /** IANA: Sunway 64-bit UEFI. */
  Sunway64Uefi: 36,
  /** IANA: LoongArch 32-bit UEFI. */
  LoongArch32Uefi: 37,
  /** IANA: LoongArch 32-bit UEFI HTTP. */
  LoongArch32UefiHttp: 38,
  /** IANA: LoongArch 64-bit UEFI. */
  LoongArch64Uefi: 39,
  /** IANA: LoongArch 64-bit UEFI HTTP. */
  LoongArch64UefiHttp: 40,
  /** IANA: ARM rpiboot (Raspberry Pi); tinkerbell treats it as ARM. */
  ArmRpiboot: 41,
} as const;

/** One of the architecture types in {@linkcode ClientArch}. */
export type ClientArch = typeof ClientArch[keyof typeof ClientArch];

const archNames = nameLookup(ClientArch);

/**
 * The name of a client architecture type.
 *
 * @param arch The option 93 value.
 * @returns The {@linkcode ClientArch} member name, or `unknown (N)`.
 * @example
 * ```ts
 * import { clientArchName } from "./arch.ts";
 * clientArchName(11); // "EfiArm64"
 * ```
 */
export function clientArchName(arch: number): string {
  return archNames(arch);
}
