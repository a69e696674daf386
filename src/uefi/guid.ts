// EFI_GUID (UEFI 2.10 Appendix A; edk2 MdePkg/Include/Base.h GUID): Data1 UINT32, Data2 UINT16,
// Data3 UINT16, Data4 UINT8[8]. In memory (and so in every UEFI structure) the three integers are
// little-endian and Data4 is as written: "4aafd29d-68df-49ee-8aa9-347d375665a7" serializes as
// 9d d2 af 4a df 68 ee 49 8a a9 34 7d 37 56 65 a7 (Python's uuid.UUID(...).bytes_le, as edk2's
// BaseTools use).

export const GUID_BYTES = 16;

const GUID_TEXT = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** Serialize a GUID in registry form ("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") as EFI_GUID bytes. */
export function efiGuid(text: string): Uint8Array {
  const m = GUID_TEXT.exec(text);
  if (!m) throw new Error(`not a GUID: ${text}`);
  const be = Buffer.from(m.slice(1).join(''), 'hex');
  const out = Uint8Array.from(be);
  out.set(be.subarray(0, 4).reverse(), 0); // Data1 little-endian
  out.set(be.subarray(4, 6).reverse(), 4); // Data2
  out.set(be.subarray(6, 8).reverse(), 6); // Data3
  return out; // Data4 (bytes 8..15) as written
}

/** EFI_GUID bytes back to registry form, lowercase. */
export function guidText(bytes: Uint8Array): string {
  if (bytes.length !== GUID_BYTES) throw new Error(`EFI_GUID is ${GUID_BYTES} bytes, got ${bytes.length}`);
  const h = (from: number, to: number, reverse: boolean) => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}
