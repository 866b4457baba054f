// The citizen pages' own light frame (no sign-in, no staff menu): the brand, back to the start, the 中文/English switch.
import { Link, Outlet } from 'react-router'
import { useTranslation } from 'react-i18next'
import { LanguageSwitch } from '../../app/LanguageSwitch'
import './citizen.css'

export default function CitizenLayout() {
  const { t } = useTranslation()
  return (
    <div className="xh-citizen" data-testid="citizen-layout">
      <header className="xh-citizen-header">
        <Link to="/citizen" className="xh-citizen-brand" data-testid="citizen-home-link">
          <span className="xh-brand-mark">绣</span>
          <span>{t('citizen.brand')}</span>
        </Link>
        <LanguageSwitch />
      </header>
      <main className="xh-citizen-main">
        <Outlet />
      </main>
    </div>
  )
}
