// Choosing a Chinese address in the form's lists with the keyboard only, as a buyer does (and
// as a test must where the form's shadow root is closed or in a cross-origin frame): from the
// country select, Tab into the province list's filter and type, and so on down. Shared by the
// Chromium, Firefox and WebKit checkouts.
//
// The form (src/widget/render.rs): a list of more than 10 entries has a filter before it; typing
// there narrows the list, and when one entry is left it is chosen, which loads the level below
// (a province's file: wait for it before going on). 浙江 has 11 cities and 杭州 13 districts, so
// each of the three levels has a filter; a municipality's one city has none.
//
// `keyboard`: `{ type(text), press(key) }` (Playwright, Puppeteer, or a WebDriver adapter);
// `settle()`: resolves once the form's data may have arrived (a wait, or a check where the test
// can see into the form). Leaves the focus on the district list.

/** What each level's filter is given: Chinese names, or where a keyboard types ASCII only, the
 *  province's Latin name and the division codes' digits (a filter matches codes too). */
export const ZHEJIANG_HANGZHOU_XIHU = { province: '浙江', city: '杭州', district: '西湖' };
export const ZHEJIANG_HANGZHOU_XIHU_ASCII = { province: 'Zhejiang', city: '3301', district: '330106' };

export async function pickChineseAddress(keyboard, settle, { province, city, district }) {
  await keyboard.press('Tab'); // the province filter
  await keyboard.type(province); // one left: 浙江省 is chosen, its cities load
  await settle();
  await keyboard.press('Tab'); // the province list
  await keyboard.press('Tab'); // the city filter
  await keyboard.type(city);
  await settle();
  await keyboard.press('Tab'); // the city list
  await keyboard.press('Tab'); // the district filter
  await keyboard.type(district);
  await settle();
  await keyboard.press('Tab'); // the district list
}
