// Whole Rupiah, as the API sends them (JSON integers, never fractions).
// id-ID groups thousands with dots: 3000 -> "Rp 3.000" in either language,
// because the shop's customers read prices that way whatever the UI says.
const rupiah = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });

export function formatRupiah(amount) {
  return `Rp ${rupiah.format(Number(amount) || 0)}`;
}

// Reads what a customer types into an amount field: digits, optionally with
// the dots or spaces people use to group thousands ("10.000"). Anything else
// (fractions, signs, letters) is null: the caller says what is wrong.
export function parseWholeNumber(text) {
  const cleaned = String(text).trim().replace(/[.\s]/g, '');
  if (!/^\d{1,15}$/.test(cleaned)) return null;
  return Number(cleaned);
}
