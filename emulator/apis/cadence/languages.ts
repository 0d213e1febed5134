// The languages a call can be booked in, by the ids `languages` takes. Only 1 English, 2
// Mandarin, 6 French and 20 Malaysian are documented; the rest are the spec's choice (see
// listLanguages), with Bubble record ids fixed so every run lists the same catalogue.
export interface Language {
  _id: string;
  id: number;
  name: string;
}

export const LANGUAGES: readonly Language[] = [
  { _id: '1486347712782x423938499155670462', id: 1, name: 'English' },
  { _id: '1486347713091x648394832717829889', id: 2, name: 'Mandarin' },
  { _id: '1486347713377x415776292771908830', id: 3, name: 'Cantonese' },
  { _id: '1486347713650x302584685033575357', id: 4, name: 'Japanese' },
  { _id: '1486347713912x898132199090414712', id: 5, name: 'Korean' },
  { _id: '1486347714188x738008180537819781', id: 6, name: 'French' },
  { _id: '1486347714456x354651735314225693', id: 7, name: 'German' },
  { _id: '1486347714730x652953242733937612', id: 8, name: 'Spanish' },
  { _id: '1486347715004x001999823381256811', id: 9, name: 'Portuguese' },
  { _id: '1486347715271x754296171322089253', id: 10, name: 'Italian' },
  { _id: '1486347715549x834153557341456066', id: 11, name: 'Russian' },
  { _id: '1486347715822x415349354889996629', id: 12, name: 'Arabic' },
  { _id: '1486347716090x826252433896775412', id: 13, name: 'Thai' },
  { _id: '1486347716367x203181723368384275', id: 14, name: 'Vietnamese' },
  { _id: '1486347716638x146404455655330721', id: 15, name: 'Indonesian' },
  { _id: '1486347716905x916504886295579237', id: 16, name: 'Hindi' },
  { _id: '1486347717183x787695770539335600', id: 17, name: 'Turkish' },
  { _id: '1486347717452x298978316600546420', id: 18, name: 'Dutch' },
  { _id: '1486347717729x708679731506367847', id: 19, name: 'Tagalog' },
  { _id: '1486347718001x413202750672341429', id: 20, name: 'Malaysian' },
];

const BY_ID = new Map(LANGUAGES.map((language) => [language.id, language]));

export const languageById = (id: number): Language | undefined => BY_ID.get(id);

/**
 * The add-on's language codes (the documentation's `en`, `de`, `cn`; `cn` is Chinese) and the
 * ISO 639-1 code the engine speaks. A code not here is an `error` callback, not a 400.
 */
export const ADDON_LANGUAGES: Readonly<Record<string, string>> = {
  en: 'en', cn: 'zh', de: 'de', fr: 'fr', es: 'es', it: 'it', pt: 'pt', ja: 'ja', ko: 'ko', ru: 'ru', ar: 'ar', nl: 'nl',
};
