// The 中文 / English switch: one button that changes to the other language and remembers it.
import { Button } from 'antd'
import { GlobalOutlined } from '@ant-design/icons'
import { useTranslation } from 'react-i18next'
import { setLanguage } from './i18n'

export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { i18n } = useTranslation()
  const english = i18n.language === 'en'
  const label = english ? '中文' : 'English'
  return (
    <Button
      data-testid="lang-switch"
      type="text"
      icon={<GlobalOutlined />}
      onClick={() => setLanguage(english ? 'zh-CN' : 'en')}
      aria-label={english ? '切换到中文' : 'Switch to English'}
      lang={english ? 'zh-CN' : 'en'}
    >
      {compact ? (english ? '中' : 'EN') : label}
    </Button>
  )
}
