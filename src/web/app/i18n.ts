// i18next set-up: zh-CN by default, English on request; the choice is kept in localStorage and sent to the API.
import i18n from 'i18next'
import { initReactI18next } from 'react-i18next'
import { setApiLanguage, type Lang } from '../api/client'
import zhCN from './locales/zh-CN.json'
import en from './locales/en.json'

export const LANGS: readonly Lang[] = ['zh-CN', 'en']
const STORAGE_KEY = 'xiuhua.lang'

function storedLanguage(): Lang {
  try {
    const value = window.localStorage.getItem(STORAGE_KEY)
    return value === 'en' ? 'en' : 'zh-CN'
  } catch {
    return 'zh-CN'
  }
}

function apply(lang: Lang): void {
  setApiLanguage(lang)
  document.documentElement.lang = lang
}

const initial = storedLanguage()
apply(initial)

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh-CN',
  supportedLngs: LANGS,
  interpolation: { escapeValue: false },
})

export function currentLanguage(): Lang {
  return i18n.language === 'en' ? 'en' : 'zh-CN'
}

export function setLanguage(lang: Lang): void {
  apply(lang)
  try {
    window.localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // private mode: the choice lasts for this page only
  }
  void i18n.changeLanguage(lang)
}

/** A name in the UI language: the English one when the UI is English and there is one. */
export function localName(name: string, nameEn: string | null | undefined, lang: Lang = currentLanguage()): string {
  return lang === 'en' && nameEn ? nameEn : name
}

export default i18n
