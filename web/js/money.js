// Whole Rupiah, as the API sends them (JSON integers, never fractions).
// id-ID groups thousands with dots: 3000 -> "Rp 3.000" in either language,
// because the shop's customers read prices that way whatever the UI says.
const rupiah = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

export function formatRupiah(amount) {
  return `Rp ${rupiah.format(Number(amount) || 0)}`;
}

// Reads what a customer types into an amount field (pay amount, admin price
// and stock): whole Rupiah as plain digits ("10000") or grouped in thousands
// the Indonesian way, with dots or spaces ("10.000", "1.500.000"). Only
// whole groups of three count as grouping: "10.5" or "3000.00" are not read
// as 105 or 300000 (a customer who typed a decimal point meant a fraction,
// and Rupiah has none). Anything else (fractions, commas, signs, "1e5",
// empty, beyond 2^53-1) is null: the caller says what is wrong.
const PLAIN = /^\d+$/;
const GROUPED = /^\d{1,3}([.\s]\d{3})+$/;

export function parseWholeNumber(text) {
  const s = String(text ?? '').trim();
  if (!PLAIN.test(s) && !GROUPED.test(s)) return null;
  const n = Number(s.replace(/[.\s]/g, ''));
  return Number.isSafeInteger(n) ? n : null; // JSON integers beyond 2^53 lose digits
}
